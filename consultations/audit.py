"""Audit log actions for staff actions on consultations, recorded in Wagtail's log."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

VERSION_PUBLISH = "consultations.version_publish"
OBSERVATION_RECORD = "consultations.observation_record"
OBSERVATION_UPDATE = "consultations.observation_update"
OBSERVATION_DELETE = "consultations.observation_delete"


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
