"""Audit log actions for training (plans, modules, sessions, attendance), recorded in
Wagtail's log."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

PLAN_SAVE = "training.plan_save"
MODULE_SAVE = "training.module_save"
SESSION_SAVE = "training.session_save"
ATTENDANCE_SAVE = "training.attendance_save"


@hooks.register("register_log_actions")
def register_training_actions(actions):
    actions.register_action(PLAN_SAVE, _("Save training plan"), _("Training plan saved"))
    actions.register_action(MODULE_SAVE, _("Save training module"), _("Training module saved"))
    actions.register_action(SESSION_SAVE, _("Save training session"), _("Training session saved"))
    actions.register_action(
        ATTENDANCE_SAVE, _("Take training attendance"), _("Training attendance taken")
    )
