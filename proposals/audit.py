"""Audit log actions for staff actions on requests, recorded in Wagtail's log."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

VERDICT_RECORD = "proposals.verdict_record"


@hooks.register("register_log_actions")
def register_proposal_actions(actions):
    actions.register_action(
        VERDICT_RECORD, _("Record pre-feasibility verdict"), _("Pre-feasibility verdict recorded")
    )
