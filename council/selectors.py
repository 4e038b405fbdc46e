"""Reads of the council's public records, with flat query counts."""

import datetime
from collections import Counter
from itertools import groupby

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from .models import AgendaItem, Attendance, Commission, Councillor, CouncilSession, RollCallVote

Choice = RollCallVote.Choice
Presence = Attendance.Presence


def item_url(item) -> str:
    return reverse("council:item", args=(item.session_id, item.position))


def session_url(session) -> str:
    return reverse("council:session", args=(session.pk,))


def items_for_consultation(consultation) -> list:
    """The agenda items linked to a consultation, newest session first (one query); each
    with `.url`, its public page."""
    items = list(
        AgendaItem.objects.filter(consultation=consultation)
        .select_related("session", "session__commission")
        .order_by("-session__starts_at", "position")
    )
    for item in items:
        item.url = item_url(item)
    return items


# --- the calendar ------------------------------------------------------------------------------
def commissions() -> list:
    return list(Commission.objects.all())


PAST_PER_PAGE = 30


def calendar_sessions(*, kind="", commission=None, month=None, now=None, page=1):
    """(upcoming, past, pages): sessions filtered, upcoming soonest first, past newest
    first (PAST_PER_PAGE a page; a page out of range is the last one); each list is of
    (month date, [sessions]) groups, `pages` is {"number", "count"}. One query."""
    now = now or timezone.now()
    sessions = CouncilSession.objects.select_related("commission").annotate(
        item_count=Count("items")
    )
    if kind:
        sessions = sessions.filter(kind=kind)
    if commission is not None:
        sessions = sessions.filter(commission=commission)
    if month is not None:
        start = timezone.make_aware(datetime.datetime(month.year, month.month, 1))
        end_month = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        end = timezone.make_aware(datetime.datetime(end_month.year, end_month.month, 1))
        sessions = sessions.filter(starts_at__gte=start, starts_at__lt=end)
    sessions = list(sessions.order_by("starts_at", "pk"))
    upcoming = [s for s in sessions if s.starts_at >= now]
    past = [s for s in reversed(sessions) if s.starts_at < now]
    count = max(1, -(-len(past) // PAST_PER_PAGE))
    number = min(max(1, page), count)
    shown = past[(number - 1) * PAST_PER_PAGE : number * PAST_PER_PAGE]
    return _by_month(upcoming), _by_month(shown), {"number": number, "count": count}


def _by_month(sessions):
    def key(session):
        local = timezone.localtime(session.starts_at)
        return datetime.date(local.year, local.month, 1)

    return [(month, list(group)) for month, group in groupby(sessions, key=key)]


# --- a session, an item, a councillor ---------------------------------------------
def session_detail(pk):
    return (
        CouncilSession.objects.select_related("commission").filter(pk=pk).first()
        if 0 < pk < 2**31
        else None
    )


def session_items(session) -> list:
    items = list(session.items.select_related("consultation").order_by("position"))
    for item in items:
        item.session = session
        item.url = item_url(item)
    return items


def session_attendance(session) -> list:
    return list(session.attendance.select_related("councillor").order_by("councillor__name"))


def attendance_counts(rows) -> list:
    counts = Counter(row.presence for row in rows)
    return [(label, counts[value]) for value, label in Presence.choices if counts[value]]


def item_detail(session_pk, position):
    if not (0 < session_pk < 2**31 and 0 < position < 2**15):
        return None
    return (
        AgendaItem.objects.select_related("session", "session__commission", "consultation")
        .filter(session_id=session_pk, position=position)
        .first()
    )


def item_votes(item) -> list:
    """The roll call of an item: councillors first (by name), then the empty seat."""
    votes = list(item.votes.select_related("councillor", "empty_seat"))
    votes.sort(key=lambda v: (v.councillor_id is None, v.councillor.name if v.councillor else ""))
    return votes


def tally(votes) -> list:
    """(value, label, count) per choice, in the choices' order: computed, never typed."""
    counts = Counter(vote.choice for vote in votes)
    return [(value, label, counts[value]) for value, label in Choice.choices]


def councillor_detail(pk):
    return Councillor.objects.filter(pk=pk).first() if 0 < pk < 2**31 else None


def councillor_record(councillor) -> dict:
    """Attendance (rate over held sessions with attendance recorded) and votes."""
    attendance = list(
        Attendance.objects.filter(councillor=councillor)
        .select_related("session", "session__commission")
        .order_by("-session__starts_at")
    )
    votes = list(
        RollCallVote.objects.filter(councillor=councillor)
        .select_related("item", "item__session")
        .order_by("-item__session__starts_at", "item__position")
    )
    for vote in votes:
        vote.item.url = item_url(vote.item)
    counts = Counter(row.presence for row in attendance)
    present = counts[Presence.PRESENT]
    rate = round(100 * present / len(attendance), 1) if attendance else None
    return {
        "attendance": attendance,
        "attendance_counts": [
            (label, counts[value]) for value, label in Presence.choices if counts[value]
        ],
        "attendance_rate": rate,
        "votes": votes,
        "vote_counts": [(label, n) for _v, label, n in tally(votes) if n],
    }


# --- open data -------------------------------------------------------------------
def last_modified():
    """When the secretariat last wrote anything (every write is audited): one query."""
    from django.db.models import Max
    from wagtail.models import ModelLogEntry

    latest = ModelLogEntry.objects.filter(action__startswith="council.").aggregate(
        latest=Max("timestamp")
    )["latest"]
    return latest


def session_rows(base_url: str) -> list[dict]:
    rows = []
    sessions = CouncilSession.objects.select_related("commission").annotate(
        item_count=Count("items", distinct=True)
    )
    for s in sessions.order_by("starts_at", "pk"):
        rows.append(
            {
                "session_id": s.pk,
                "kind": s.kind,
                "kind_label": str(s.get_kind_display()),
                "commission": s.commission.name if s.commission else "",
                "number": s.number,
                "starts_at": timezone.localtime(s.starts_at),
                "place": s.place,
                "status": s.status,
                "video_url": s.video_url,
                "minutes_url": s.minutes_url,
                "agenda_items": s.item_count,
                "url": base_url + session_url(s),
            }
        )
    return rows


def item_rows(base_url: str) -> list[dict]:
    items = AgendaItem.objects.select_related("session", "consultation").order_by(
        "session__starts_at", "session_id", "position"
    )
    counts = {}
    for item_id, choice, n in (
        RollCallVote.objects.values_list("item_id", "choice").annotate(n=Count("pk")).order_by()
    ):
        counts.setdefault(item_id, Counter())[choice] = n
    rows = []
    for item in items:
        c = counts.get(item.pk, Counter())
        consultation_url = ""
        if item.consultation is not None and item.consultation.live:
            consultation_url = item.consultation.full_url or ""
        rows.append(
            {
                "item_id": item.pk,
                "session_id": item.session_id,
                "session_starts_at": timezone.localtime(item.session.starts_at),
                "position": item.position,
                "title": item.title,
                "summary": item.summary,
                "consultation_url": consultation_url,
                "outcome": item.outcome,
                **{f"votes_{value}": c[value] for value in Choice.values},
                "url": base_url + item_url(item),
            }
        )
    return rows


def attendance_rows() -> list[dict]:
    rows = Attendance.objects.select_related("session", "councillor").order_by(
        "session__starts_at", "session_id", "councillor__name"
    )
    return [
        {
            "session_id": row.session_id,
            "session_starts_at": timezone.localtime(row.session.starts_at),
            "councillor_id": row.councillor_id,
            "councillor": row.councillor.name,
            "party": row.councillor.party,
            "presence": row.presence,
        }
        for row in rows
    ]


def vote_rows() -> list[dict]:
    votes = RollCallVote.objects.select_related("item", "councillor", "empty_seat").order_by(
        "item__session__starts_at", "item__session_id", "item__position", "pk"
    )
    return [
        {
            "session_id": vote.item.session_id,
            "item_id": vote.item_id,
            "position": vote.item.position,
            "councillor_id": vote.councillor_id,
            "councillor": vote.councillor.name if vote.councillor else "",
            "party": vote.councillor.party if vote.councillor else "",
            # The empty seat votes in the name of its accredited organisation (public).
            "empty_seat_organisation": vote.empty_seat.organisation if vote.empty_seat else "",
            "choice": vote.choice,
        }
        for vote in votes
    ]
