"""Audit log actions for staff actions on consultations, recorded in Wagtail's log."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

VERSION_PUBLISH = "consultations.version_publish"
OBSERVATION_RECORD = "consultations.observation_record"
OBSERVATION_UPDATE = "consultations.observation_update"
OBSERVATION_DELETE = "consultations.observation_delete"
MATCHING_CORRECT = "consultations.matching_correct"
DISPOSITION_SET = "consultations.disposition_set"
ENACTED_ATTACH = "consultations.enacted_attach"


@hooks.register("register_log_actions")
def register_consultation_actions(actions):
    actions.register_action(
        VERSION_PUBLISH, _("Publish a version of the draft"), _("New version of the draft")
    )
    actions.register_action(
        OBSERVATION_RECORD, _("Record in-person observation"), _("In-person observation recorded")
    )
    actions.register_action(
        OBSERVATION_UPDATE, _("Correct in-person observation"), _("In-person observation corrected")
    )
    actions.register_action(
        OBSERVATION_DELETE, _("Delete in-person observation"), _("In-person observation deleted")
    )
    actions.register_action(
        MATCHING_CORRECT,
        _("Correct the article matching of a new version"),
        _("Article matching corrected"),
    )
    actions.register_action(
        DISPOSITION_SET, _("Give contributions a disposition"), _("Disposition given")
    )
    actions.register_action(
        ENACTED_ATTACH, _("Attach the enacted ordinance"), _("Enacted ordinance attached")
    )
