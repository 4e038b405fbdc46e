"""Audit log actions for staff actions on accounts, recorded in Wagtail's log."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

VERIFY = "accounts.resident_verify"
UNVERIFY = "accounts.resident_unverify"
UPDATE = "accounts.resident_update"


@hooks.register("register_log_actions")
def register_account_actions(actions):
    actions.register_action(VERIFY, _("Verify resident"), _("Resident verified"))
    actions.register_action(UNVERIFY, _("Withdraw verification"), _("Verification withdrawn"))
    actions.register_action(UPDATE, _("Edit resident"), _("Resident edited by staff"))
