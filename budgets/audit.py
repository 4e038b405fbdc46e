"""Audit log actions for staff actions on budget cycles, recorded in Wagtail's log."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks

ENVELOPES_SET = "budgets.envelopes_set"
ENVELOPES_COMPUTE = "budgets.envelopes_compute"
TALLY_RECORD = "budgets.tally_record"
RESULTS_PUBLISH = "budgets.results_publish"
RESULTS_WITHDRAW = "budgets.results_withdraw"
# A booth vote: the cycle and the booth only, never the person (no cédula, no key).
BOOTH_VOTE = "budgets.booth_vote"


@hooks.register("register_log_actions")
def register_budget_actions(actions):
    actions.register_action(ENVELOPES_SET, _("Set parish envelopes"), _("Envelopes set by hand"))
    actions.register_action(
        ENVELOPES_COMPUTE, _("Compute parish envelopes"), _("Envelopes computed with weights")
    )
    actions.register_action(BOOTH_VOTE, _("Register a booth vote"), _("Vote registered at a booth"))
    actions.register_action(TALLY_RECORD, _("Record assembly tally"), _("Assembly tally recorded"))
    actions.register_action(RESULTS_PUBLISH, _("Publish results"), _("Results published"))
    actions.register_action(
        RESULTS_WITHDRAW, _("Withdraw results"), _("Published results withdrawn")
    )
