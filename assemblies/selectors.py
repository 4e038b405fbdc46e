"""Reads for assemblies: the live state (page render, WebSocket snapshot and event payloads
share one serialisation), the index, zone-page sections and statistics."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from territory.models import Zone

from .models import (
    AgendaItem,
    Announcement,
    AssemblyEvent,
    AssemblyKind,
    AssemblyPage,
    AssemblyStatus,
    LiveState,
    Poll,
    PollOption,
    Question,
)

ANNOUNCEMENTS_SHOWN = 20
QUESTIONS_SHOWN = 100
# A client further behind than this gets a fresh snapshot instead of a replay.
MAX_REPLAY = 200


def _iso(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def live_state_for(assembly: AssemblyPage) -> LiveState:
    state, _created = LiveState.objects.get_or_create(assembly_id=assembly.pk)
    return state


# --- Serialisation: one shape for the page, the snapshot and the events -----------------


def assembly_data(state: LiveState) -> dict:
    return {
        "id": state.assembly_id,
        "status": state.status,
        "status_label": str(AssemblyStatus(state.status).label),
        "started_at": _iso(state.started_at),
        "ended_at": _iso(state.ended_at),
    }


def announcement_data(announcement: Announcement) -> dict:
    return {
        "id": announcement.pk,
        "text": announcement.text,
        "at": _iso(announcement.created_at),
    }


def poll_data(poll: Poll, options: list[PollOption] | None = None) -> dict:
    """`options` must carry `online` (annotated count of ballots); see `polls_with_tallies`."""
    options = options if options is not None else list(_options_with_tallies(poll.pk))
    rows = []
    for option in options:
        online = option.online if poll.counts_online else 0
        room = (option.room_count or 0) if poll.counts_room else 0
        rows.append(
            {
                "id": option.pk,
                "label": option.label,
                "online": online,
                "room": option.room_count if poll.counts_room else None,
                "total": online + room,
            }
        )
    return {
        "id": poll.pk,
        "question": poll.question,
        "mode": poll.mode,
        "mode_label": str(Poll.Mode(poll.mode).label),
        "status": poll.status,
        "results_published": poll.results_published,
        "counts_online": poll.counts_online,
        "counts_room": poll.counts_room,
        "options": rows,
        "online_total": sum(row["online"] for row in rows),
        "room_total": sum(row["room"] or 0 for row in rows),
        "total": sum(row["total"] for row in rows),
    }


def question_data(question: Question) -> dict:
    return {
        "id": question.pk,
        "text": question.text,
        "status": question.status,
        "status_label": str(Question.Status(question.status).label),
        "pinned": question.pinned,
        "upvotes": question.upvote_count,
        "at": _iso(question.created_at),
    }


def question_public_data(question: Question) -> dict:
    """What someone who is not staff may see: everything once approved, else its id only
    (so that a page removes a question that was hidden)."""
    if question.is_public:
        return question_data(question)
    return {"id": question.pk, "status": "withheld"}


def _options_with_tallies(poll_id: int):
    return PollOption.objects.filter(poll_id=poll_id).annotate(online=Count("ballots"))


def polls_with_tallies(assembly_id: int) -> list[Poll]:
    """Every poll of the assembly with its options and online counts: two queries."""
    options = PollOption.objects.annotate(online=Count("ballots")).order_by("position", "pk")
    return list(
        Poll.objects.filter(assembly_id=assembly_id).prefetch_related(
            Prefetch("options", queryset=options)
        )
    )


def assembly_state(assembly: AssemblyPage, *, staff: bool = False) -> tuple[int, dict]:
    """`(seq, state)`. The sequence number is read *before* the state, so the state is at
    least as new as `seq`; events after `seq` carry whole objects and are applied as upserts,
    so replaying one the state already includes is harmless."""
    state = LiveState.objects.filter(assembly_id=assembly.pk).select_related("current_item").first()
    if state is None:
        state = live_state_for(assembly)
    seq = state.last_seq
    questions = Question.objects.filter(assembly_id=assembly.pk)
    if not staff:
        questions = questions.filter(
            status__in=[Question.Status.APPROVED, Question.Status.ANSWERED]
        )
    announcements = Announcement.objects.filter(assembly_id=assembly.pk)[:ANNOUNCEMENTS_SHOWN]
    agenda = AgendaItem.objects.filter(page_id=assembly.pk).order_by("sort_order", "pk")
    data = {
        "assembly": assembly_data(state),
        "agenda": [{"id": item.pk, "title": item.title} for item in agenda],
        "current_item": state.current_item_id,
        "announcements": [announcement_data(a) for a in announcements],
        "polls": [
            poll_data(poll, list(poll.options.all())) for poll in polls_with_tallies(assembly.pk)
        ],
        "questions": [question_data(q) for q in questions[:QUESTIONS_SHOWN]],
    }
    return seq, data


def events_after(assembly_id: int, seq: int, *, until: int | None = None) -> list[AssemblyEvent]:
    events = AssemblyEvent.objects.filter(assembly_id=assembly_id, seq__gt=seq)
    if until is not None:
        events = events.filter(seq__lte=until)
    return list(events.order_by("seq"))


def current_seq(assembly_id: int) -> int:
    return (
        LiveState.objects.filter(assembly_id=assembly_id).values_list("last_seq", flat=True).first()
        or 0
    )


# --- Lists ------------------------------------------------------------------------------


@dataclass
class AssemblyCard:
    """An item for the index, the home page and the zone pages (title, url, meta)."""

    title: str
    url: str
    meta: str = ""


def _status_expr(status: str) -> Q:
    if status == AssemblyStatus.SCHEDULED:
        return Q(live_state__isnull=True) | Q(live_state__status=status)
    return Q(live_state__status=status)


def _base_assemblies():
    return (
        AssemblyPage.objects.live()
        .public()
        .select_related("live_state", "parish", "barrio")
        .order_by("starts_at", "pk")
    )


def format_when(value: datetime.datetime) -> str:
    local = timezone.localtime(value)
    return f"{local:%d/%m/%Y %H:%M}"


def _card(page: AssemblyPage, *, zone_name: str = "", extra: str = "") -> AssemblyCard:
    parts = [format_when(page.starts_at), str(AssemblyKind(page.kind).label)]
    if zone_name:
        parts.append(zone_name)
    if page.place:
        parts.append(page.place)
    if extra:
        parts.append(extra)
    return AssemblyCard(title=page.title, url=page.url, meta=" · ".join(parts))


def _zone_names(pages) -> dict[int, str]:
    """Zone name per assembly page (territory's one rule), one query for all of them."""
    from territory.selectors import prime_zones

    prime_zones(pages)
    return {page.pk: page.zone.name if page.zone else "" for page in pages}


def assembly_index(*, zone_slug: str = "", year: str = "") -> dict:
    """Live now, upcoming and past assemblies, optionally for one zone and one year."""
    pages = _base_assemblies()
    zone = None
    if zone_slug:
        zone = Zone.objects.filter(slug=zone_slug).select_related("page").first()
        if zone is not None and hasattr(zone, "page"):
            pages = pages.descendant_of(zone.page)
        else:
            pages = pages.none()
    if year.isdigit():
        pages = pages.filter(starts_at__year=int(year))
    pages = list(pages)
    names = _zone_names(pages)
    live, upcoming, past = [], [], []
    for page in pages:
        status = page.live_state.status if hasattr(page, "live_state") else "programada"
        card = _card(page, zone_name=names[page.pk])
        if status == AssemblyStatus.LIVE:
            live.append(card)
        elif status == AssemblyStatus.FINISHED:
            past.append(card)
        else:
            upcoming.append(card)
    past.reverse()
    return {"live": live, "upcoming": upcoming, "past": past, "zone": zone, "year": year}


def upcoming_and_live(*, zone_page=None, limit: int = 6) -> list[AssemblyCard]:
    pages = _base_assemblies().filter(
        _status_expr(AssemblyStatus.LIVE) | _status_expr(AssemblyStatus.SCHEDULED)
    )
    if zone_page is not None:
        pages = pages.child_of(zone_page)
    pages = list(pages[:limit])
    names = {} if zone_page is not None else _zone_names(pages)
    cards = []
    for page in pages:
        live = hasattr(page, "live_state") and page.live_state.status == AssemblyStatus.LIVE
        cards.append(
            _card(page, zone_name=names.get(page.pk, ""), extra=_("Live now") if live else "")
        )
    return cards


def results_for_zone(zone_page, *, limit: int = 5) -> list[AssemblyCard]:
    """Finished assemblies of a zone with their published results and minutes."""
    pages = list(
        _base_assemblies()
        .child_of(zone_page)
        .filter(live_state__status=AssemblyStatus.FINISHED)
        .select_related("minutes_document")
        .order_by("-starts_at", "-pk")[:limit]
    )
    if not pages:
        return []
    options = PollOption.objects.annotate(online=Count("ballots")).order_by("position", "pk")
    polls = Poll.objects.filter(
        assembly__in=[p.pk for p in pages], results_published=True
    ).prefetch_related(Prefetch("options", queryset=options))
    by_page: dict[int, list[str]] = {}
    for poll in polls:
        data = poll_data(poll, list(poll.options.all()))
        tally = ", ".join(f"{row['label']} {row['total']}" for row in data["options"])
        by_page.setdefault(poll.assembly_id, []).append(f"{poll.question}: {tally}")
    cards = []
    for page in pages:
        parts = [format_when(page.starts_at)]
        parts += by_page.get(page.pk, [])
        if page.minutes_document_id or page.minutes_text:
            parts.append(_("Minutes available"))
        if len(parts) > 1:
            cards.append(AssemblyCard(title=page.title, url=page.url, meta=" · ".join(parts)))
    return cards


def held_by_year(zone_page=None) -> dict[int, dict[str, int]]:
    """Assemblies held (finished) per year and type, for a zone's page or the whole city:
    `{2022: {"barrial": 4, "zonal": 1}, ...}`. One query."""
    pages = AssemblyPage.objects.live().filter(live_state__status=AssemblyStatus.FINISHED)
    if zone_page is not None:
        pages = pages.child_of(zone_page)
    rows = (
        pages.annotate(year=ExtractYear("starts_at"))
        .values("year", "kind")
        .annotate(n=Count("pk"))
        .order_by("-year", "kind")
    )
    stats: dict[int, dict[str, int]] = {}
    for row in rows:
        stats.setdefault(row["year"], {})[row["kind"]] = row["n"]
    return stats


def stats_cards(zone_page) -> list[AssemblyCard]:
    """One line per year: 'Barrio assembly: 5 · Zonal assembly: 1', linking to the index
    filtered to that zone and year, with the change in barrio assemblies from the previous
    year (the 2023 report compares 2021 and 2022)."""
    stats = held_by_year(zone_page)
    if not stats:
        return []
    from .models import AssemblyIndexPage

    index = AssemblyIndexPage.objects.live().first()
    cards = []
    for year, kinds in stats.items():
        parts = [f"{AssemblyKind(kind).label}: {count}" for kind, count in sorted(kinds.items())]
        previous = stats.get(year - 1)
        if previous is not None:
            now, before = kinds.get("barrial", 0), previous.get("barrial", 0)
            parts.append(
                _("barrio assemblies %(now)s in %(year)s vs %(before)s in %(previous)s")
                % {"now": now, "year": year, "before": before, "previous": year - 1}
            )
        url = f"{index.url}?zona={zone_page.zone.slug}&anio={year}" if index else zone_page.url
        title = _("Assemblies held in %(year)s") % {"year": year}
        cards.append(AssemblyCard(title=title, url=url, meta=" · ".join(parts)))
    return cards
