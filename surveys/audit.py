"""Audit log actions for the surveys' staff work, recorded in Wagtail's log."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

SURVEY_SAVE = "surveys.survey_save"
SURVEY_DELETE = "surveys.survey_delete"
QUESTION_SAVE = "surveys.question_save"
QUESTION_DELETE = "surveys.question_delete"
RESPONSES_EXPORT = "surveys.responses_export"


@hooks.register("register_log_actions")
def register_survey_actions(actions):
    actions.register_action(SURVEY_SAVE, _("Save survey"), _("Survey saved"))
    actions.register_action(SURVEY_DELETE, _("Delete survey"), _("Survey deleted"))
    actions.register_action(QUESTION_SAVE, _("Save survey question"), _("Survey question saved"))
    actions.register_action(
        QUESTION_DELETE, _("Delete survey question"), _("Survey question deleted")
    )
    actions.register_action(
        RESPONSES_EXPORT, _("Download survey responses"), _("Survey responses downloaded")
    )
