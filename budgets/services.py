"""Writes for budget cycles: envelopes, ballots, assembly tallies, results."""

import contextlib
import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.log_actions import log

from accounts.cedula import cedula_hash, cycle_voter_key
from accounts.selectors import resident_of
from proposals.models import Request
from proposals.services import request_set_status
from quitodecide import rulebook
from quitodecide.errors import DomainError, PermissionDenied
from quitodecide.pagecache import purge as purge_pages
from territory.models import Parish

from . import audit, selectors, signals
from .allocation import CRITERIA, ParishFigures, compute_envelopes
from .models import (
    AssemblyTally,
    AssemblyTallyLine,
    Ballot,
    BallotLine,
    BudgetCyclePage,
    ParishEnvelope,
    PhaseKind,
    ResultLine,
    ResultSet,
)
from .money import format_usd
from .results import Candidate, select_winners

ZERO = Decimal("0.00")
# More people than any parish assembly gathers is a typing error (and the columns are 32-bit).
MAX_ATTENDEES = 100_000
# What each parish figure can plausibly be (the columns' sizes, and a percentage is <= 100).
CRITERIA_MAX = {
    "population": Decimal(10_000_000),
    "unmet_needs": Decimal(100),
    "density": Decimal("99999999.99"),
    "infrastructure_needs": Decimal("999999.99"),
}


def _zone_parishes(cycle: BudgetCyclePage) -> dict[int, Parish]:
    return {parish.pk: parish for parish in Parish.objects.filter(zone_id=cycle.zone_id)}


def _check_can_manage_envelopes(cycle, actor):
    if not rulebook.allowed(actor, "budgets.manage_envelopes", cycle):
        raise PermissionDenied(
            _("Only this zone's staff can change envelopes, and only before prioritisation.")
        )


@transaction.atomic
def envelopes_set(
    *, cycle: BudgetCyclePage, amounts: Mapping[Parish, Decimal], actor
) -> list[ParishEnvelope]:
    """Set the parish envelopes by hand. They cover every parish of the zone (a parish left
    out gets nothing) and must add up to the cycle's total exactly."""
    _check_can_manage_envelopes(cycle, actor)
    parishes = _zone_parishes(cycle)
    if any(parish.pk not in parishes for parish in amounts):
        raise DomainError(_("Every parish must belong to this cycle's zone."))
    if any(amount is None or amount < 0 for amount in amounts.values()):
        raise DomainError(_("Envelopes cannot be negative."))
    total = sum(amounts.values(), ZERO)
    if total != cycle.total_amount:
        raise DomainError(
            _("The envelopes add up to %(sum)s, but the cycle's total is %(total)s.")
            % {"sum": format_usd(total), "total": format_usd(cycle.total_amount)}
        )
    by_pk = {parish.pk: amount for parish, amount in amounts.items()}
    envelopes = _store_envelopes(
        cycle,
        {pk: {"amount": by_pk.get(pk, ZERO)} for pk in parishes},
        ParishEnvelope.Method.MANUAL,
    )
    log(instance=cycle, action=audit.ENVELOPES_SET, user=actor, data={"total": str(total)})
    return envelopes


@transaction.atomic
def envelopes_compute(
    *, cycle: BudgetCyclePage, figures: Mapping[Parish, Mapping[str, Decimal]], actor
) -> list[ParishEnvelope]:
    """Compute the envelopes from the parish figures staff entered, with the 2020 weights
    (population 40%, unmet basic needs 30%, density 20%, infrastructure needs 10%). Every
    parish of the zone needs its four figures; the envelopes add up to the total exactly."""
    _check_can_manage_envelopes(cycle, actor)
    parishes = _zone_parishes(cycle)
    given = {parish.pk: values for parish, values in figures.items()}
    missing = [parishes[pk].name for pk in parishes if pk not in given]
    if missing or any(pk not in parishes for pk in given):
        raise DomainError(
            _("Enter the figures of every parish of the zone (missing: %(names)s).")
            % {"names": ", ".join(sorted(missing)) or "-"}
        )
    rows = []
    for pk, values in given.items():
        if any(values.get(criterion) is None for criterion in CRITERIA):
            raise DomainError(
                _("Enter all four figures for %(parish)s.") % {"parish": parishes[pk].name}
            )
        if any(Decimal(values[criterion]) < 0 for criterion in CRITERIA):
            raise DomainError(_("Figures cannot be negative."))
        if Decimal(values["unmet_needs"]) > CRITERIA_MAX["unmet_needs"]:
            raise DomainError(_("Unmet basic needs are a percentage: at most 100."))
        if any(Decimal(values[c]) > CRITERIA_MAX[c] for c in CRITERIA):
            raise DomainError(
                _("A figure of %(parish)s is too large to be right.")
                % {"parish": parishes[pk].name}
            )
        rows.append(ParishFigures(key=pk, **{c: Decimal(values[c]) for c in CRITERIA}))
    amounts = compute_envelopes(cycle.total_amount, rows)
    envelopes = _store_envelopes(
        cycle,
        {
            pk: {"amount": amounts[pk], **{c: Decimal(given[pk][c]) for c in CRITERIA}}
            for pk in parishes
        },
        ParishEnvelope.Method.WEIGHTED,
    )
    log(instance=cycle, action=audit.ENVELOPES_COMPUTE, user=actor, data={"parishes": len(rows)})
    return envelopes


def _store_envelopes(cycle, values_by_parish: dict[int, dict], method) -> list[ParishEnvelope]:
    ParishEnvelope.objects.filter(cycle=cycle).exclude(parish_id__in=values_by_parish).delete()
    envelopes = []
    for parish_pk, values in values_by_parish.items():
        defaults = {"method": method, "population": None, "unmet_needs": None, "density": None}
        defaults["infrastructure_needs"] = None
        defaults.update(values)
        if "population" in values:
            defaults["population"] = int(values["population"])
        envelope, _created = ParishEnvelope.objects.update_or_create(
            cycle=cycle, parish_id=parish_pk, defaults=defaults
        )
        envelopes.append(envelope)
    return envelopes


@transaction.atomic
def envelopes_clear(*, cycle: BudgetCyclePage, actor) -> None:
    """Back to one ballot for the whole cycle."""
    _check_can_manage_envelopes(cycle, actor)
    ParishEnvelope.objects.filter(cycle=cycle).delete()
    log(instance=cycle, action=audit.ENVELOPES_SET, user=actor, data={"cleared": True})


# --- ballots ------------------------------------------------------------------------------
class AlreadyVoted(DomainError):
    """A ballot with this person's voter key exists in the cycle: one person, one vote,
    whatever the channel. `channel` is the existing ballot's."""

    def __init__(self, message, *, channel):
        super().__init__(message)
        self.channel = channel


def _check_choices(cycle, scope, request_ids: Iterable[int]) -> tuple[list[int], dict, Decimal]:
    """The chosen projects (in order, once each), their costs and total, checked against the
    cycle's rule: on the scope's ballot, within its envelope or the number of choices. The
    same for an online ballot and a booth ballot."""
    chosen = list(dict.fromkeys(int(pk) for pk in request_ids))
    if not chosen:
        raise DomainError(_("Choose at least one project."))
    options = {option.pk: option for option in selectors.ballot_options(cycle, scope.parish)}
    if any(pk not in options for pk in chosen):
        raise DomainError(_("One of the chosen projects is not on your ballot."))
    costs = {pk: options[pk].verdict.technical_cost for pk in chosen}
    total = sum(costs.values(), ZERO)
    if cycle.is_knapsack and total > scope.envelope:
        raise DomainError(
            _("Your choices cost %(total)s, more than the %(envelope)s available.")
            % {"total": format_usd(total), "envelope": format_usd(scope.envelope)}
        )
    if not cycle.is_knapsack and len(chosen) > (cycle.max_choices or 0):
        count = cycle.max_choices or 0
        raise DomainError(
            ngettext(
                "Choose at most %(count)s project.", "Choose at most %(count)s projects.", count
            )
            % {"count": count}
        )
    return chosen, costs, total


def _online_refusal(existing_channel) -> AlreadyVoted:
    if existing_channel == Ballot.Channel.BOOTH:
        message = _(
            "A vote with this cédula has already been registered in this cycle (in person)."
        )
    else:
        message = _("A vote with this cédula has already been registered in this cycle.")
    return AlreadyVoted(message, channel=existing_channel)


def _key_holder_channel(cycle, voter_key, *, resident=None) -> str | None:
    """The channel of the ballot already holding `voter_key` in the cycle (other than the
    resident's own), or None."""
    others = Ballot.objects.filter(cycle=cycle, voter_key=voter_key)
    if resident is not None:
        others = others.exclude(resident=resident)
    return others.values_list("channel", flat=True).first()


def ballot_submit(*, cycle: BudgetCyclePage, user, request_ids: Iterable[int]) -> Ballot:
    """Cast or change a resident's ballot, validated against the cycle's rule.

    One person, one vote: the ballot carries the cycle's voter key of the resident's cédula
    (`accounts.cedula.cycle_voter_key`); a ballot with that key registered at a booth, or
    left by a deleted account of the same person, refuses this one (AlreadyVoted).

    Safe under concurrency: the unique constraints (cycle, resident) and (cycle, voter_key)
    make a second ballot impossible, and the ballot row is locked while its lines are
    replaced, so concurrent submissions leave exactly one of the submitted choices, never a
    mix; a booth ballot registered at the same moment wins or loses cleanly.
    """
    if not rulebook.allowed(user, "budgets.vote", cycle):
        # The rule's own explanation: the phase, the residency, or the missing cédula.
        refusal = rulebook.explain(user, "budgets.vote", cycle)
        raise PermissionDenied(refusal.reason, refusal=refusal)
    resident = resident_of(user)
    voter_key = cycle_voter_key(resident.cedula_hash, cycle.pk)
    scope = selectors.ballot_scope(cycle, resident)
    if scope is None:
        raise DomainError(_("Your parish has no envelope in this cycle, so it has no ballot."))
    chosen, costs, total = _check_choices(cycle, scope, request_ids)
    with transaction.atomic():
        ballot = _lock_ballot(cycle, resident, scope.parish, voter_key)
        BallotLine.objects.filter(ballot=ballot).delete()
        BallotLine.objects.bulk_create(
            [BallotLine(ballot=ballot, request_id=pk, cost=costs[pk]) for pk in chosen]
        )
        purge_pages()  # no signal from this write: drop cached pages
        ballot.parish = scope.parish
        ballot.total_cost = total
        ballot.revision += 1
        ballot.save(update_fields=["parish", "total_cost", "revision", "updated_at"])
    return ballot


def _lock_ballot(cycle, resident, parish, voter_key) -> Ballot:
    """The resident's ballot, created if need be, locked until the transaction ends; raises
    AlreadyVoted when another ballot of the cycle holds the resident's voter key."""
    channel = _key_holder_channel(cycle, voter_key, resident=resident)
    if channel is not None:
        raise _online_refusal(channel)
    # A concurrent submission may create it first: the unique constraints keep one ballot,
    # and the loser's IntegrityError means "it exists now": the resident's own (go on), or
    # one with the same key from a booth (refused below).
    with contextlib.suppress(IntegrityError), transaction.atomic():
        Ballot.objects.get_or_create(
            cycle=cycle,
            resident=resident,
            defaults={"parish": parish, "voter_key": voter_key, "channel": Ballot.Channel.ONLINE},
        )
    ballot = Ballot.objects.select_for_update().filter(cycle=cycle, resident=resident).first()
    if ballot is None:
        raise _online_refusal(_key_holder_channel(cycle, voter_key) or Ballot.Channel.BOOTH)
    if ballot.voter_key is not None and ballot.voter_key != voter_key:
        # The ballot was cast under another cédula: never re-key it (the person would be
        # free to vote again at a booth with the first one). The profile freezes the
        # cédula once a ballot exists (accounts.services), so this is a stale profile.
        raise AlreadyVoted(
            _(
                "Your ballot in this cycle was cast with another cédula number: ask your "
                "zone's staff."
            ),
            channel=Ballot.Channel.ONLINE,
        )
    if ballot.voter_key is None:
        # A ballot from before voter keys: it takes the key now, unless someone holds it.
        ballot.voter_key = voter_key
        try:
            with transaction.atomic():
                ballot.save(update_fields=["voter_key"])
        except IntegrityError:
            raise _online_refusal(
                _key_holder_channel(cycle, voter_key, resident=resident) or Ballot.Channel.BOOTH
            ) from None
    return ballot


# --- booths: in-person votes registered per person -----------------------------------------
BOOTH_LABEL_MAX = 120


def booth_vote(
    *,
    cycle: BudgetCyclePage,
    actor,
    cedula: str,
    request_ids: Iterable[int],
    parish: Parish | None = None,
    booth: str = "",
) -> Ballot:
    """Staff at a booth register one person's vote: the cédula they typed (hashed at once,
    never stored), the parish where the cycle has parish envelopes, and the choices, under
    the same rule as online. Final: a booth ballot is not revised. Refused (AlreadyVoted)
    when the person already voted in this cycle, online or at a booth; race-safe through
    the unique voter key. Audited without the person: the cycle and the booth only."""
    if not rulebook.allowed(actor, "budgets.booth_vote", cycle):
        raise PermissionDenied(
            _("Only this zone's staff can register booth votes, while voting is open.")
        )
    try:
        hashed = cedula_hash(cedula)
    except ValidationError as error:
        raise DomainError(error.messages[0]) from None
    voter_key = cycle_voter_key(hashed, cycle.pk)
    del cedula, hashed  # the clear number goes no further
    booth = (booth or "").strip()[:BOOTH_LABEL_MAX]
    envelopes = {e.parish_id: e for e in cycle.envelopes.select_related("parish")}
    if parish is not None and parish.zone_id != cycle.zone_id:
        raise DomainError(_("The parish must belong to this cycle's zone."))
    if envelopes:
        if parish is None:
            raise DomainError(_("Choose the voter's parish: each parish has its own ballot."))
        envelope = envelopes.get(parish.pk)
        if envelope is None:
            raise DomainError(_("This parish has no envelope in this cycle, so it has no ballot."))
        scope = selectors.BallotScope(parish=parish, envelope=envelope.amount)
    else:
        scope = selectors.BallotScope(parish=None, envelope=cycle.total_amount)
    chosen, costs, total = _check_choices(cycle, scope, request_ids)
    with transaction.atomic():
        if scope.parish is not None:
            # The parish's envelope row, locked: a hand tally entered for this parish at
            # the same moment (tally_record takes the same lock) waits for us, and sees us.
            ParishEnvelope.objects.select_for_update().filter(
                cycle=cycle, parish=scope.parish
            ).first()
            if AssemblyTally.objects.filter(cycle=cycle, parish=scope.parish).exists():
                raise DomainError(
                    _(
                        "This parish's assembly was counted by hand (its tally is entered): "
                        "its in-person votes cannot also be registered at a booth."
                    )
                )
        channel = _key_holder_channel(cycle, voter_key)
        if channel is not None:
            raise _booth_refusal(channel)
        try:
            with transaction.atomic():
                ballot = Ballot.objects.create(
                    cycle=cycle,
                    resident=None,
                    voter_key=voter_key,
                    channel=Ballot.Channel.BOOTH,
                    booth=booth,
                    recorded_by=actor,
                    parish=scope.parish,
                    total_cost=total,
                    revision=1,
                )
        except IntegrityError:
            # Voted at this moment elsewhere (online or another booth): the key decides.
            raise _booth_refusal(
                _key_holder_channel(cycle, voter_key) or Ballot.Channel.ONLINE
            ) from None
        BallotLine.objects.bulk_create(
            [BallotLine(ballot=ballot, request_id=pk, cost=costs[pk]) for pk in chosen]
        )
        purge_pages()  # no signal from this write: drop cached pages
        log(
            instance=cycle,
            action=audit.BOOTH_VOTE,
            user=actor,
            data={"cycle": cycle.pk, "booth": booth},
        )
    return ballot


def _booth_refusal(existing_channel) -> AlreadyVoted:
    if existing_channel == Ballot.Channel.BOOTH:
        message = _("This person has already voted at this or another booth.")
    else:
        message = _("This person has already voted online.")
    return AlreadyVoted(message, channel=existing_channel)


# --- assembly tallies ---------------------------------------------------------------------
@transaction.atomic
def tally_record(
    *,
    cycle: BudgetCyclePage,
    parish: Parish,
    held_on: datetime.date,
    votes: Mapping[int, int],
    actor,
    acta=None,
    attendees: int | None = None,
) -> AssemblyTally:
    """Staff enter the hand count of a parish assembly, with its signed minutes (acta).
    Entering it again replaces the previous count of that assembly."""
    if not rulebook.allowed(actor, "budgets.record_tally", cycle):
        raise PermissionDenied(
            _("Only this zone's staff can enter assembly tallies, during prioritisation.")
        )
    if parish.zone_id != cycle.zone_id:
        raise DomainError(_("The parish must belong to this cycle's zone."))
    scope_parish = parish if selectors.has_envelopes(cycle) else None
    if scope_parish is not None:
        # The same lock as booth_vote's: a booth vote in this parish at this moment is
        # either seen here or waits and then sees this tally.
        ParishEnvelope.objects.select_for_update().filter(cycle=cycle, parish=parish).first()
    if scope_parish is not None and selectors.booth_ballots(cycle, parish).exists():
        # Registered per person here: a hand count would count the same people again.
        raise DomainError(
            _(
                "This parish registers its in-person votes at a booth, one per person: its "
                "votes cannot also be entered as a hand count."
            )
        )
    options = set(selectors.ballot_options(cycle, scope_parish).values_list("pk", flat=True))
    if any(int(pk) not in options for pk in votes):
        raise DomainError(_("Votes can only be entered for projects on this assembly's ballot."))
    if any(count is None or int(count) < 0 for count in votes.values()):
        raise DomainError(_("Vote counts cannot be negative."))
    tally = AssemblyTally.objects.select_for_update().filter(cycle=cycle, parish=parish).first()
    if tally is None:
        if acta is None:
            raise DomainError(_("Upload the signed minutes (acta) of the assembly."))
        tally = AssemblyTally(cycle=cycle, parish=parish)
    _check_tally_is_plausible(cycle, held_on=held_on, attendees=attendees, votes=votes)
    tally.held_on = held_on
    tally.attendees = attendees
    tally.recorded_by = actor
    replaced = tally.acta.name if tally.pk and acta is not None and tally.acta else ""
    if acta is not None:
        tally.acta = acta
    tally.save()
    if replaced and replaced != tally.acta.name:
        # The replaced acta goes once the new one is committed (the audit entry remains).
        storage = tally.acta.storage
        transaction.on_commit(lambda: storage.delete(replaced))
    tally.lines.all().delete()
    AssemblyTallyLine.objects.bulk_create(
        [
            AssemblyTallyLine(tally=tally, request_id=int(pk), votes=int(count))
            for pk, count in votes.items()
            if int(count) > 0
        ]
    )
    purge_pages()  # no signal from this write: drop cached pages
    log(
        instance=cycle,
        action=audit.TALLY_RECORD,
        user=actor,
        data={"parish": parish.name, "votes": sum(int(v) for v in votes.values())},
    )
    return tally


def _check_tally_is_plausible(cycle, *, held_on, attendees, votes: Mapping[int, int]) -> None:
    """The acta's figures must be possible: the assembly was held during prioritisation
    (votes outside it would not count online either) and not in the future, and nobody
    votes for a project twice, so no project has more votes than there were attendees
    (nor, under the approval rule, more votes in all than attendees times the choices)."""
    phase = cycle.phase(PhaseKind.PRIORITISATION)
    if phase is None:
        raise DomainError(_("This cycle has no prioritisation phase, so it has no assemblies."))
    last = min(phase.ends_on, timezone.localdate())
    if not isinstance(held_on, datetime.date) or not phase.starts_on <= held_on <= last:
        raise DomainError(
            _(
                "The assembly must have been held during prioritisation, between %(start)s "
                "and %(end)s."
            )
            % {"start": date_format(phase.starts_on), "end": date_format(last)}
        )
    if attendees is None:
        raise DomainError(_("Enter the number of attendees written in the acta."))
    if not 0 <= int(attendees) <= MAX_ATTENDEES:
        raise DomainError(
            _("An assembly of more than %(n)s attendees is not plausible.") % {"n": MAX_ATTENDEES}
        )
    counts = [int(count) for count in votes.values()]
    if any(count > attendees for count in counts):
        raise DomainError(
            _("A project cannot get more votes than the assembly had attendees (%(n)s).")
            % {"n": attendees}
        )
    if not cycle.is_knapsack and sum(counts) > attendees * (cycle.max_choices or 0):
        raise DomainError(
            _("%(n)s attendees choosing at most %(k)s projects each cannot cast %(total)s votes.")
            % {"n": attendees, "k": cycle.max_choices, "total": sum(counts)}
        )


# --- results ------------------------------------------------------------------------------
@transaction.atomic
def results_publish(*, cycle: BudgetCyclePage, actor) -> list[ResultSet]:
    """Compute and publish the winners of every ballot scope (see budgets.results for the
    rule). Selected projects become "prioritised"; the other viable ones "not selected".
    Publishing again (e.g. after a late acta) recomputes from the same data."""
    if not rulebook.allowed(actor, "budgets.publish_results", cycle):
        raise PermissionDenied(
            _("Only this zone's staff can publish results, during the results phase.")
        )
    published = _compute_and_store_results(cycle=cycle, actor=actor)
    signals.results_published.send(sender=type(cycle), cycle=cycle, actor=actor)
    return published


@transaction.atomic
def results_withdraw(*, cycle: BudgetCyclePage, actor, confirm: bool, reason: str) -> int:
    """Withdraw the published results: the only way voting can reopen after publication
    (the vote rule refuses while results are published). Needs an explicit confirmation
    and a public reason; prioritised and not-selected requests go back to "viable", each
    with a status change, and the audit log keeps what was withdrawn."""
    if not rulebook.allowed(actor, "budgets.withdraw_results", cycle):
        raise PermissionDenied(_("Only this zone's staff can withdraw published results."))
    if not confirm:
        raise DomainError(_("Confirm that the published results are to be withdrawn."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for withdrawing the results; it is recorded."))
    if len(reason) > 500:
        raise DomainError(_("The reason has at most 500 characters."))
    withdrawn = list(ResultSet.objects.filter(cycle=cycle).select_for_update())
    lines = ResultLine.objects.filter(result__in=withdrawn)
    selected = sorted(lines.filter(selected=True).values_list("request_id", flat=True))
    decided = Request.objects.filter(
        cycle=cycle, status__in=[Request.Status.PRIORITISED, Request.Status.NOT_SELECTED]
    )
    for request in decided:
        request_set_status(
            request=request,
            status=Request.Status.VIABLE,
            actor=actor,
            note=_("Results withdrawn: %(reason)s") % {"reason": reason},
        )
    signals.results_withdrawn.send(sender=type(cycle), cycle=cycle, actor=actor)
    ResultSet.objects.filter(pk__in=[result.pk for result in withdrawn]).delete()
    log(
        instance=cycle,
        action=audit.RESULTS_WITHDRAW,
        user=actor,
        data={"scopes": len(withdrawn), "selected": selected, "reason": reason},
    )
    return len(withdrawn)


def _compute_and_store_results(*, cycle: BudgetCyclePage, actor) -> list[ResultSet]:
    envelopes = selectors.cycle_envelopes(cycle)
    scopes = (
        [(envelope.parish, envelope.amount) for envelope in envelopes]
        if envelopes
        else [(None, cycle.total_amount)]
    )
    ResultSet.objects.filter(cycle=cycle).delete()
    published = []
    selected_count = 0
    now = timezone.now()
    for parish, envelope in scopes:
        counts = selectors.vote_counts(cycle, parish)
        candidates = [
            Candidate(
                key=pk,
                cost=row["request"].verdict.technical_cost,
                votes=row["online"] + row["booth"] + row["assembly"],
                order=pk,
            )
            for pk, row in counts.items()
        ]
        outcomes = select_winners(candidates, envelope)
        selected_total = sum((o.cost for o in outcomes if o.selected), ZERO)
        result = ResultSet.objects.create(
            cycle=cycle,
            parish=parish,
            envelope=envelope,
            selected_total=selected_total,
            computed_by=actor,
            computed_at=now,
        )
        ResultLine.objects.bulk_create(
            [
                ResultLine(
                    result=result,
                    request_id=outcome.key,
                    rank=outcome.rank,
                    online_votes=counts[outcome.key]["online"],
                    booth_votes=counts[outcome.key]["booth"],
                    assembly_votes=counts[outcome.key]["assembly"],
                    votes=outcome.votes,
                    cost=outcome.cost,
                    remaining_before=outcome.remaining_before,
                    selected=outcome.selected,
                    reason=outcome.reason,
                )
                for outcome in outcomes
            ]
        )
        purge_pages()  # no signal from this write: drop cached pages
        for outcome in outcomes:
            request = counts[outcome.key]["request"]
            status = Request.Status.PRIORITISED if outcome.selected else Request.Status.NOT_SELECTED
            request_set_status(
                request=request, status=status, actor=actor, note=_("Results published")
            )
        selected_count += sum(1 for outcome in outcomes if outcome.selected)
        published.append(result)
    log(
        instance=cycle,
        action=audit.RESULTS_PUBLISH,
        user=actor,
        data={"scopes": len(published), "selected": selected_count},
    )
    return published
