"""Audit log actions for moderation, recorded in Wagtail's log."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

HIDE = "discussions.comment_hide"
RESTORE = "discussions.comment_restore"
OFFICIAL_ANSWER = "discussions.official_answer"
FLAGS_DISMISS = "discussions.flags_dismiss"


@hooks.register("register_log_actions")
def register_discussion_actions(actions):
    actions.register_action(HIDE, _("Hide comment"), _("Comment hidden by moderation"))
    actions.register_action(RESTORE, _("Restore comment"), _("Comment restored"))
    actions.register_action(OFFICIAL_ANSWER, _("Official answer"), _("Official answer posted"))
    actions.register_action(FLAGS_DISMISS, _("Dismiss flags"), _("Flags dismissed"))
