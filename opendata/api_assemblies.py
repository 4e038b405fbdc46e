"""API: assemblies (live, public pages only) with their agenda, the polls whose results were
published (online votes and room counts, as the live page shows them) and the minutes.
Questions from residents are not published here (they carry no consent for reuse)."""

import datetime

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from wagtail.rich_text import expand_db_html

from assemblies.models import AgendaItem, AssemblyKind, AssemblyPage, AssemblyStatus
from assemblies.selectors import poll_data, polls_with_tallies
from territory.selectors import prime_zones

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

router = Router(tags=["assemblies"])


class AssemblyOut(Schema):
    id: int
    title: str
    url: str
    kind: str = Field(description="barrial, parroquial, zonal or quito.")
    starts_at: datetime.datetime
    place: str
    zone: str | None
    parish: str | None = Field(description="DPA code.")
    barrio: str | None
    summary: str
    status: str = Field(description="programada, en_curso or finalizada.")
    minutes_available: bool


class AgendaItemOut(Schema):
    title: str
    description: str


class PollOptionOut(Schema):
    label: str
    online: int
    room: int | None = Field(description="Hand count in the room; null when not counted.")
    total: int


class PollOut(Schema):
    id: int
    question: str
    mode: str = Field(description="Who votes: online, room or both.")
    status: str
    counts_online: bool
    counts_room: bool
    options: list[PollOptionOut]
    online_total: int
    room_total: int
    total: int


class AssemblyDetail(AssemblyOut):
    agenda: list[AgendaItemOut]
    polls: list[PollOut] = Field(description="Polls whose results were published.")
    minutes_html: str
    minutes_pdf: str | None


class AssemblyFilters(Schema):
    zone: str | None = Field(None, description="Zone slug.")
    parish: str | None = Field(None, description="DPA code of the parish.")
    year: int | None = Field(None, ge=2000, le=2100)
    status: str | None = Field(None, description="programada, en_curso or finalizada.")
    kind: str | None = Field(None, description="barrial, parroquial, zonal or quito.")


def _assemblies():
    return (
        AssemblyPage.objects.live()
        .public()
        .select_related("live_state", "parish", "barrio")
        .order_by("-starts_at", "-pk")
    )


def _status(page) -> str:
    state = getattr(page, "live_state", None)
    return state.status if state is not None else AssemblyStatus.SCHEDULED


def _assembly_data(page) -> dict:
    zone = page.zone
    return {
        "id": page.pk,
        "title": page.title,
        "url": page.full_url or page.url,
        "kind": page.kind,
        "starts_at": page.starts_at,
        "place": page.place,
        "zone": zone.slug if zone else None,
        "parish": page.parish.dpa_code if page.parish_id else None,
        "barrio": page.barrio.name if page.barrio_id else None,
        "summary": page.summary,
        "status": _status(page),
        "minutes_available": bool(page.minutes_text or page.minutes_document_id),
    }


def _check_choice(field, value, values):
    if value and value not in values:
        raise BadFilter(field, _("Use one of: %(values)s.") % {"values": ", ".join(values)})


@router.get("/assemblies", response={200: Page[AssemblyOut], 400: Error, 404: Error})
def assemblies(request, filters: Query[AssemblyFilters], params: Query[PageParams]):
    """Assemblies, newest first."""
    _check_choice("status", filters.status, AssemblyStatus.values)
    _check_choice("kind", filters.kind, AssemblyKind.values)
    pages = _assemblies()
    zone = zone_by_slug(filters.zone)
    if zone is not None:
        zone_page = getattr(zone, "page", None)
        pages = pages.descendant_of(zone_page) if zone_page is not None else pages.none()
    parish = parish_by_code(filters.parish)
    if parish is not None:
        pages = pages.filter(parish=parish)
    if filters.year:
        pages = pages.filter(starts_at__year=filters.year)
    if filters.status == AssemblyStatus.SCHEDULED:
        pages = pages.filter(Q(live_state__isnull=True) | Q(live_state__status=filters.status))
    elif filters.status:
        pages = pages.filter(live_state__status=filters.status)

    def serialise_page(chunk):
        return chunk

    data = paginate(request, pages, params, serialise_page)
    prime_zones(data["results"])
    data["results"] = [_assembly_data(page) for page in data["results"]]
    return data


@router.get("/assemblies/{assembly_id}", response={200: AssemblyDetail, 404: Error})
def assembly(request, assembly_id: int):
    """One assembly: agenda, published poll results and minutes."""
    page = _assemblies().select_related("minutes_document").filter(pk=assembly_id).first()
    if page is None:
        raise not_found()
    data = _assembly_data(page)
    agenda = AgendaItem.objects.filter(page_id=page.pk).order_by("sort_order", "pk")
    data["agenda"] = [{"title": item.title, "description": item.description} for item in agenda]
    data["polls"] = [
        poll_data(poll, list(poll.options.all()))
        for poll in polls_with_tallies(page.pk)
        if poll.results_published
    ]
    data["minutes_html"] = expand_db_html(page.minutes_text) if page.minutes_text else ""
    document = page.minutes_document
    data["minutes_pdf"] = request.build_absolute_uri(document.url) if document else None
    return data
