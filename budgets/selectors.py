"""Reads for budget cycles shared by pages, views, exports and the home/zone sections.

Every list is built with a fixed number of queries (prefetch, annotate), whatever its size.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import PageViewRestriction

from home.selectors import HomeSection
from proposals.models import Request

from .models import (
    AssemblyTally,
    AssemblyTallyLine,
    Ballot,
    BudgetCyclePage,
    ParishEnvelope,
    Phase,
    PhaseKind,
    ResultLine,
    ResultSet,
)

HOME_SECTION_SIZE = 6
# Requests found viable stay on the ballot after results move them on.
ON_BALLOT = [Request.Status.VIABLE, Request.Status.PRIORITISED, Request.Status.NOT_SELECTED]


def cycles_for_index():
    """Every live cycle with its zone and phases: two queries whatever the count."""
    return (
        BudgetCyclePage.objects.live()
        .public()
        .select_related("zone")
        .prefetch_related("phases")
        .order_by("-year", "zone__name")
    )


def _section_cycles():
    """Live, public cycles with their open phase, in ONE query (home and zone pages gather
    sections from every capability, so each provider must stay cheap): the view
    restrictions of ancestors and the open phase are subqueries, not extra queries."""
    today = timezone.localdate()
    restricted = PageViewRestriction.objects.annotate(prefix=Length("page__path")).filter(
        page__path=Substr(OuterRef("path"), 1, F("prefix"))
    )
    open_phase = Phase.objects.filter(
        cycle=OuterRef("pk"), starts_on__lte=today, ends_on__gte=today
    ).order_by("starts_on")
    return (
        BudgetCyclePage.objects.live()
        .exclude(Exists(restricted))
        .select_related("zone")
        .annotate(
            open_phase=Subquery(open_phase.values("kind")[:1]),
            open_phase_ends=Subquery(open_phase.values("ends_on")[:1]),
        )
        .order_by("-year", "zone__name")
    )


def _cycle_item(cycle) -> dict:
    if cycle.open_phase:
        meta = _("%(phase)s until %(date)s") % {
            "phase": PhaseKind(cycle.open_phase).label,
            "date": cycle.open_phase_ends.strftime("%d/%m/%Y"),
        }
    else:
        meta = str(cycle.year)
    return {"title": f"{cycle.zone.name} {cycle.year}", "url": cycle.url, "meta": meta}


ACTIVE_PHASES = [PhaseKind.REQUESTS, PhaseKind.PREFEASIBILITY, PhaseKind.PRIORITISATION]
ACTIVE_PHASES.append(PhaseKind.RESULTS)


def home_section(request) -> HomeSection:
    """Cycles with an open phase up to results, for the home page."""
    cycles = _section_cycles().filter(open_phase__in=ACTIVE_PHASES)[:HOME_SECTION_SIZE]
    items = [_cycle_item(cycle) for cycle in cycles]
    index_url = ""
    if items:  # an empty section is not rendered: spare the query
        from .models import BudgetIndexPage

        index = BudgetIndexPage.objects.live().first()
        index_url = index.url if index is not None else ""
    return HomeSection(
        key="presupuestos", title=_("Participatory budgets"), items=items, more_url=index_url
    )


def zone_section(zone_page, request) -> HomeSection:
    cycles = _section_cycles().filter(zone_id=zone_page.zone_id)
    return HomeSection(
        key="presupuestos",
        title=_("Participatory budgets"),
        items=[_cycle_item(cycle) for cycle in cycles],
    )


def cycle_envelopes(cycle) -> list[ParishEnvelope]:
    return list(cycle.envelopes.select_related("parish").order_by("parish__name"))


def has_envelopes(cycle) -> bool:
    return cycle.envelopes.exists()


@dataclass
class BallotScope:
    """Where a resident votes: the whole cycle, or their parish when envelopes exist."""

    parish: object | None
    envelope: Decimal


def ballot_scope(cycle, resident) -> BallotScope | None:
    """None when the cycle has parish envelopes and the resident's parish has none."""
    envelopes = {e.parish_id: e for e in cycle.envelopes.all()}
    if not envelopes:
        return BallotScope(parish=None, envelope=cycle.total_amount)
    envelope = envelopes.get(resident.parish_id) if resident is not None else None
    if envelope is None:
        return None
    return BallotScope(parish=envelope.parish, envelope=envelope.amount)


def ballot_scope_of_parish(cycle, parish=None) -> BallotScope | None:
    """The scope a booth ballot is cast in: the parish's envelope when the cycle has parish
    envelopes (None when that parish has none), else the whole cycle."""
    if parish is None:
        return BallotScope(parish=None, envelope=cycle.total_amount)
    envelope = cycle.envelopes.filter(parish=parish).first()
    return BallotScope(parish=parish, envelope=envelope.amount) if envelope else None


def ballot_options(cycle, parish=None):
    """The viable projects on the ballot of a scope, with their technical cost."""
    options = (
        Request.objects.filter(cycle=cycle, status__in=ON_BALLOT)
        .select_related("parish", "verdict")
        .order_by("title", "pk")
    )
    if parish is not None:
        options = options.filter(parish=parish)
    return options


def ballot_of(cycle, resident) -> Ballot | None:
    if resident is None:
        return None
    return Ballot.objects.filter(cycle=cycle, resident=resident).prefetch_related("lines").first()


def booth_ballots(cycle, parish=None):
    """The ballots registered at a booth in a cycle (of one parish's scope when given)."""
    ballots = Ballot.objects.filter(cycle=cycle, channel=Ballot.Channel.BOOTH)
    return ballots.filter(parish=parish) if parish is not None else ballots


def vote_counts(cycle, parish=None) -> dict[int, dict]:
    """Votes per viable project of a scope, by kind, in two queries: online ballots, booth
    ballots (registered per person) and assembly hand counts (aggregates)."""
    options = ballot_options(cycle, parish).annotate(
        online=Count(
            "ballot_lines",
            filter=Q(ballot_lines__ballot__channel=Ballot.Channel.ONLINE),
            distinct=True,
        ),
        booth=Count(
            "ballot_lines",
            filter=Q(ballot_lines__ballot__channel=Ballot.Channel.BOOTH),
            distinct=True,
        ),
    )
    assembly = dict(
        AssemblyTallyLine.objects.filter(tally__cycle=cycle, request__in=options.values("pk"))
        .values_list("request_id")
        .annotate(total=Sum("votes"))
        .values_list("request_id", "total")
    )
    return {
        option.pk: {
            "request": option,
            "online": option.online,
            "booth": option.booth,
            "assembly": assembly.get(option.pk, 0) or 0,
        }
        for option in options
    }


def cycle_tallies(cycle):
    return (
        AssemblyTally.objects.filter(cycle=cycle)
        .select_related("parish")
        .prefetch_related(Prefetch("lines", queryset=AssemblyTallyLine.objects.order_by("pk")))
        .order_by("parish__name")
    )


def cycle_results(cycle) -> list[ResultSet]:
    """The published results of every scope, lines ranked, in three queries."""
    return list(
        ResultSet.objects.filter(cycle=cycle)
        .select_related("parish")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ResultLine.objects.select_related("request", "request__parish").order_by(
                    "rank"
                ),
            )
        )
        .order_by("parish__name")
    )


def cycle_figures(cycle) -> dict:
    """Headline counts for the cycle page, in one query."""
    return Request.objects.filter(cycle=cycle).aggregate(
        requests=Count("pk"),
        viable=Count("pk", filter=Q(status__in=ON_BALLOT)),
        prioritised=Count("pk", filter=Q(status="prioritised")),
    )
