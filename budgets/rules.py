"""The rule book's budget actions: envelopes, ballots, tallies, results.

Requests (submitting, supporting, assessing them) are the proposals engine's actions
(`proposals.rules`); a cycle tells the engine which of its phases take which step
(`BudgetCyclePage.proposals_open_for`).
"""

import rules
from django.utils.translation import gettext_lazy as _

from quitodecide.rulebook import (
    STAFF_OF_ZONE,
    Refusal,
    RefusalKind,
    action,
    because,
    is_active_user,
    rows_open_in,
    staff_of,
    verified_resident_of,
)

from .models import PhaseKind


def cycle_zone(cycle):
    return cycle.zone


def phase_open(*kinds):
    @rules.predicate(name=f"phase_open({','.join(kinds)})")
    def predicate(user, cycle) -> bool:
        return cycle is not None and any(cycle.is_open(kind) for kind in kinds)

    return predicate


@rules.predicate
def before_prioritisation(user, cycle) -> bool:
    return cycle is not None and not cycle.has_started(PhaseKind.PRIORITISATION)


def _results_published(cycle) -> bool:
    """Whether the cycle has published results; lists that ask the rule for many cycles
    annotate `results_are_published` (home.staff_tasks) so the answer costs no query."""
    annotated = getattr(cycle, "results_are_published", None)
    if annotated is not None:
        return bool(annotated)
    return cycle.results.exists()


@rules.predicate
def no_published_results(user, cycle) -> bool:
    """Voting never runs beside published results: reopening it means withdrawing them
    first (`budgets.withdraw_results`, confirmed and audited)."""
    return cycle is not None and not _results_published(cycle)


@rules.predicate
def has_published_results(user, cycle) -> bool:
    return cycle is not None and _results_published(cycle)


@rules.predicate
def has_cedula(user, cycle) -> bool:
    """The profile holds the cédula's hash, confirmed as the person's (census match or staff
    who saw the card): the voter key (one person, one vote across the online ballot and
    the booths) is computed from it."""
    from accounts.selectors import resident_of

    resident = resident_of(user) if is_active_user(user) else None
    return bool(resident is not None and resident.cedula_hash and resident.cedula_confirmed_at)


def _explain_no_cedula(user, cycle, predicate) -> Refusal | None:
    from django.urls import reverse
    from django.utils.translation import gettext

    from accounts.selectors import resident_of

    if not is_active_user(user):
        return None  # logging in comes first: the other parts say so
    resident = resident_of(user)
    if resident is not None and resident.cedula_hash:
        # Typed by the person only: a made-up number would let them vote online and again
        # at a booth with their real card. A census match or the zone's staff confirm it.
        return Refusal(
            gettext(
                "Confirm your cédula to vote online: verify yourself with the municipal "
                "census, or show your cédula to your zone's staff."
            ),
            RefusalKind.OTHER,
            zone=getattr(cycle, "zone", None),
            url=reverse("verification:index"),
        )
    return Refusal(
        gettext("Register your cédula number in your profile to vote."),
        RefusalKind.OTHER,
        zone=getattr(cycle, "zone", None),
        url=reverse("accounts:profile"),
    )


because(has_cedula, _explain_no_cedula)

is_staff = staff_of(cycle_zone)
PHASES = ("requests", "prefeasibility", "prioritisation", "results", "execution")

action(
    "budgets.manage_envelopes",
    before_prioritisation & is_staff,
    target="budget_cycle",
    rows=rows_open_in(PHASES, {"requests", "prefeasibility"}, STAFF_OF_ZONE),
    summary=_("Set or compute the parish envelopes (until voting starts)"),
    staff=True,
)
action(
    "budgets.vote",
    phase_open(PhaseKind.PRIORITISATION)
    & no_published_results
    & verified_resident_of(cycle_zone)
    & has_cedula,
    target="budget_cycle",
    rows=rows_open_in(PHASES, {"prioritisation"}, {"verified"}),
    summary=_("Vote on the cycle's ballot"),
    participation=True,
)
action(
    "budgets.booth_vote",
    phase_open(PhaseKind.PRIORITISATION) & no_published_results & is_staff,
    target="budget_cycle",
    rows=rows_open_in(PHASES, {"prioritisation"}, STAFF_OF_ZONE),
    summary=_("Register a person's vote at a booth (by cédula, once per person per cycle)"),
    staff=True,
)
action(
    "budgets.record_tally",
    phase_open(PhaseKind.PRIORITISATION, PhaseKind.RESULTS) & is_staff,
    target="budget_cycle",
    rows=rows_open_in(PHASES, {"prioritisation", "results"}, STAFF_OF_ZONE),
    summary=_("Enter an assembly's tally (acta)"),
    staff=True,
)
action(
    "budgets.publish_results",
    phase_open(PhaseKind.RESULTS) & is_staff,
    target="budget_cycle",
    rows=rows_open_in(PHASES, {"results"}, STAFF_OF_ZONE),
    summary=_("Compute and publish the results"),
    staff=True,
)
action(
    "budgets.withdraw_results",
    has_published_results & is_staff,
    target="budget_cycle_published",
    rows=dict.fromkeys(("prioritisation", "results", "execution"), STAFF_OF_ZONE),
    summary=_(
        "Withdraw published results (confirmed, with a reason; needed before voting can reopen)"
    ),
    staff=True,
)
