"""Audit log actions for the verification staff actions (Wagtail's log). Entries carry the
method, the zone, counts and document kinds, never a cédula, a date of birth or a code."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

CENSUS_UPLOAD = "verification.census_upload"
CENSUS_WITHDRAW = "verification.census_withdraw"
CODES_ISSUE = "verification.codes_issue"
REQUEST_VERIFY = "verification.request_verify"
REQUEST_REJECT = "verification.request_reject"


@hooks.register("register_log_actions")
def register_verification_actions(actions):
    actions.register_action(CENSUS_UPLOAD, _("Upload census file"), _("Census file uploaded"))
    actions.register_action(CENSUS_WITHDRAW, _("Withdraw census file"), _("Census file withdrawn"))
    actions.register_action(CODES_ISSUE, _("Generate codes"), _("One-time codes generated"))
    actions.register_action(
        REQUEST_VERIFY, _("Verify on request"), _("Verification request accepted")
    )
    actions.register_action(REQUEST_REJECT, _("Reject request"), _("Verification request rejected"))
