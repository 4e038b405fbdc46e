"""API: participatory-budget cycles (live, public pages only) with their phases and parish
envelopes, their requests (no author) with the technical verdicts, and, once published,
their results and the assembly tallies they counted. Reads through budgets.selectors and
proposals.selectors."""

import datetime

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from budgets.models import BudgetCyclePage, ResultSet
from budgets.selectors import (
    cycle_envelopes,
    cycle_figures,
    cycle_results,
    cycle_tallies,
    cycles_for_index,
)
from proposals.models import Request
from proposals.selectors import request_list

from .apikit import (
    BadFilter,
    Error,
    Page,
    PageParams,
    not_found,
    paginate,
    parish_by_code,
    zone_by_slug,
)

router = Router(tags=["budgets"])


class PhaseOut(Schema):
    kind: str
    starts_on: datetime.date
    ends_on: datetime.date


class CycleOut(Schema):
    id: int
    title: str
    url: str
    zone: str | None
    year: int
    total_amount_usd: float
    investment_share_percent: float
    ballot_rule: str = Field(description="knapsack or approval.")
    max_choices: int | None
    phases: list[PhaseOut]
    results_published: bool


class EnvelopeOut(Schema):
    parish: str = Field(description="DPA code.")
    amount_usd: float
    method: str
    population: int | None


class Figures(Schema):
    requests: int
    viable: int
    prioritised: int


class CycleDetail(CycleOut):
    figures: Figures
    envelopes: list[EnvelopeOut]


class VerdictOut(Schema):
    viable: bool
    reason: str
    technical_cost_usd: float | None
    decided_at: datetime.datetime


class RequestOut(Schema):
    id: int
    reference: str = Field(description="PP-00042.")
    kind: str
    title: str
    description: str
    parish: str | None = Field(description="DPA code.")
    barrio: str
    latitude: float | None
    longitude: float | None
    estimated_cost_usd: float
    status: str
    supports: int
    submitted_at: datetime.datetime
    verdict: VerdictOut | None


class ResultLineOut(Schema):
    rank: int
    request_id: int
    reference: str
    title: str
    online_votes: int = Field(description="Ballots cast online by residents.")
    booth_votes: int = Field(
        description="Ballots registered in person at a booth by staff, one per person."
    )
    assembly_votes: int = Field(description="Hand-count votes from the assembly tallies.")
    votes: int = Field(description="online_votes + booth_votes + assembly_votes.")
    cost_usd: float
    remaining_before_usd: float
    selected: bool
    reason: str


class ResultOut(Schema):
    parish: str | None = Field(description="DPA code; null for a cycle-wide ballot.")
    envelope_usd: float
    selected_total_usd: float
    computed_at: datetime.datetime
    lines: list[ResultLineOut]


class TallyLineOut(Schema):
    request_id: int
    votes: int


class TallyOut(Schema):
    parish: str | None
    held_on: datetime.date
    attendees: int | None
    lines: list[TallyLineOut]


class CycleFilters(Schema):
    zone: str | None = Field(None, description="Zone slug.")
    year: int | None = Field(None, ge=2000, le=2100)


def _money(value):
    return float(value) if value is not None else None


def _cycles():
    return cycles_for_index().annotate(
        has_results=Exists(ResultSet.objects.filter(cycle=OuterRef("pk")))
    )


def _cycle_data(cycle) -> dict:
    return {
        "id": cycle.pk,
        "title": cycle.title,
        "url": cycle.full_url or cycle.url,
        "zone": cycle.zone.slug if cycle.zone_id else None,
        "year": cycle.year,
        "total_amount_usd": _money(cycle.total_amount),
        "investment_share_percent": _money(cycle.investment_share),
        "ballot_rule": cycle.ballot_rule,
        "max_choices": cycle.max_choices,
        "phases": [
            {"kind": phase.kind, "starts_on": phase.starts_on, "ends_on": phase.ends_on}
            for phase in cycle.phase_list
        ],
        "results_published": cycle.has_results,
    }


@router.get("/budget-cycles", response={200: Page[CycleOut], 400: Error, 404: Error})
def budget_cycles(request, filters: Query[CycleFilters], params: Query[PageParams]):
    """Participatory-budget cycles, newest year first."""
    cycles = _cycles()
    zone = zone_by_slug(filters.zone)
    if zone is not None:
        cycles = cycles.filter(zone=zone)
    if filters.year:
        cycles = cycles.filter(year=filters.year)
    return paginate(request, cycles, params, _cycle_data)


def _live_cycle(cycle_id: int) -> BudgetCyclePage:
    cycle = _cycles().filter(pk=cycle_id).first()
    if cycle is None:
        raise not_found()
    return cycle


@router.get("/budget-cycles/{cycle_id}", response={200: CycleDetail, 404: Error})
def budget_cycle(request, cycle_id: int):
    """One cycle: phases, headline figures and parish envelopes."""
    cycle = _live_cycle(cycle_id)
    data = _cycle_data(cycle)
    data["figures"] = cycle_figures(cycle)
    data["envelopes"] = [
        {
            "parish": envelope.parish.dpa_code,
            "amount_usd": _money(envelope.amount),
            "method": envelope.method,
            "population": envelope.population,
        }
        for envelope in cycle_envelopes(cycle)
    ]
    return data


class RequestFilters(Schema):
    parish: str | None = Field(None, description="DPA code of the parish.")
    status: str | None = Field(
        None, description="submitted, viable, not_viable, prioritised or not_selected."
    )
    kind: str | None = Field(None, description="public_works or social_project.")


def _request_data(item) -> dict:
    verdict = getattr(item, "verdict", None)
    return {
        "id": item.pk,
        "reference": item.reference,
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        "parish": item.parish.dpa_code if item.parish_id else None,
        "barrio": item.barrio_name,
        "latitude": _money(item.latitude),
        "longitude": _money(item.longitude),
        "estimated_cost_usd": _money(item.estimated_cost),
        "status": item.status,
        "supports": item.support_count,
        "submitted_at": item.created_at,
        "verdict": (
            {
                "viable": verdict.viable,
                "reason": verdict.reason,
                "technical_cost_usd": _money(verdict.technical_cost),
                "decided_at": verdict.decided_at,
            }
            if verdict is not None
            else None
        ),
    }


def _check_choice(field: str, value: str | None, values) -> None:
    if value and value not in values:
        raise BadFilter(field, _("Use one of: %(values)s.") % {"values": ", ".join(values)})


@router.get(
    "/budget-cycles/{cycle_id}/requests",
    response={200: Page[RequestOut], 400: Error, 404: Error},
)
def budget_requests(
    request, cycle_id: int, filters: Query[RequestFilters], params: Query[PageParams]
):
    """The requests (fichas) filed in a cycle, newest first, with their verdicts. No author,
    no organisation, no images."""
    cycle = _live_cycle(cycle_id)
    _check_choice("status", filters.status, Request.Status.values)
    _check_choice("kind", filters.kind, Request.Kind.values)
    items = request_list(
        cycle,
        parish=parish_by_code(filters.parish),
        kind=filters.kind or "",
        status=filters.status or "",
    )
    return paginate(request, items, params, _request_data)


@router.get("/budget-cycles/{cycle_id}/results", response={200: list[ResultOut], 404: Error})
def budget_results(request, cycle_id: int):
    """The published results of each ballot scope (the cycle, or each parish), ranked. An
    empty list until they are published."""
    cycle = _live_cycle(cycle_id)
    return [
        {
            "parish": result.parish.dpa_code if result.parish_id else None,
            "envelope_usd": _money(result.envelope),
            "selected_total_usd": _money(result.selected_total),
            "computed_at": result.computed_at,
            "lines": [
                {
                    "rank": line.rank,
                    "request_id": line.request_id,
                    "reference": line.request.reference,
                    "title": line.request.title,
                    "online_votes": line.online_votes,
                    "booth_votes": line.booth_votes,
                    "assembly_votes": line.assembly_votes,
                    "votes": line.votes,
                    "cost_usd": _money(line.cost),
                    "remaining_before_usd": _money(line.remaining_before),
                    "selected": line.selected,
                    "reason": line.reason,
                }
                for line in result.lines.all()
            ],
        }
        for result in cycle_results(cycle)
    ]


@router.get("/budget-cycles/{cycle_id}/tallies", response={200: list[TallyOut], 404: Error})
def budget_tallies(request, cycle_id: int):
    """The assembly tallies (hand counts per request) the published results counted. An
    empty list until results are published."""
    cycle = _live_cycle(cycle_id)
    if not cycle.has_results:
        return []
    return [
        {
            "parish": tally.parish.dpa_code if tally.parish_id else None,
            "held_on": tally.held_on,
            "attendees": tally.attendees,
            "lines": [
                {"request_id": line.request_id, "votes": line.votes} for line in tally.lines.all()
            ],
        }
        for tally in cycle_tallies(cycle)
    ]
