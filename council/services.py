"""Writes of the council's records: commissions, councillors, sessions, agenda items,
attendance and roll-call votes. Only the council secretariat (rule book: council.manage,
MFA included) writes them; every write is atomic and leaves an audit entry.

Decisions:
- Links (video, minutes) are https addresses of a named host (no IP address, no
  credentials, no port but 443): they are shown as plain links on public pages.
- Attendance and votes are recorded for a session that was held (status "realizada").
- The roll call lists the councillors whose attendance is recorded: a councillor present,
  or replaced by the alternate (the alternate votes for the seat), casts a vote; one absent
  or excused is recorded as "ausente" and nothing else. One vote per councillor per item
  (and one for each organisation accredited for the item's empty seat).
- Tallies are never typed: selectors.tally counts the votes. The outcome (approved,
  rejected, deferred) is the secretariat's record of the council's decision.
"""

import ipaddress
import re
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from quitodecide import rulebook
from quitodecide.changes import changes, snapshot
from quitodecide.errors import DomainError

from . import audit
from .models import (
    AgendaItem,
    Attendance,
    Commission,
    Councillor,
    CouncilSession,
    EmptySeatApplication,
    RollCallVote,
)

MANAGE = "council.manage"
_HOST = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
Presence = Attendance.Presence
Choice = RollCallVote.Choice
VOTERS = {Presence.PRESENT, Presence.ALTERNATE}


def _require(actor) -> None:
    rulebook.require(actor, MANAGE, None)


def check_link(url: str) -> str:
    """An https link to a named host, or "" (raises DomainError otherwise)."""
    url = (url or "").strip()
    if not url:
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, None
    host = (parts.hostname or "") if parts else ""
    plausible = (
        parts is not None
        and parts.scheme == "https"
        and not parts.username
        and not parts.password
        and port in (None, 443)
        and _HOST.match(host) is not None
        and not any(ch.isspace() for ch in url)
        and len(url) <= 500
    )
    if plausible:
        try:
            ipaddress.ip_address(host)
            plausible = False
        except ValueError:
            pass
    if not plausible:
        raise DomainError(
            _("Give an https:// address of a website (for example https://www.youtube.com/…).")
        )
    return url


def _log(instance, action, actor, **data):
    log(instance=instance, action=action, user=actor, data=data)


COMMISSION_FIELDS = ("name", "slug")
COUNCILLOR_FIELDS = ("name", "party", "constituency", "is_active")
SESSION_FIELDS = (
    "kind",
    "commission_id",
    "number",
    "starts_at",
    "place",
    "status",
    "video_url",
    "minutes_url",
    "empty_seat_days",
)
ITEM_FIELDS = (
    "session_id",
    "position",
    "title",
    "summary",
    "consultation_id",
    "empty_seat",
    "outcome",
)


# --- commissions and councillors ---------------------------------------------------------
@transaction.atomic
def commission_save(*, actor, name: str, slug: str, commission: Commission | None = None):
    _require(actor)
    name, slug = (name or "").strip(), (slug or "").strip()
    if not name or not slug:
        raise DomainError(_("A commission needs a name and a slug."))
    clash = Commission.objects.filter(name__iexact=name) | Commission.objects.filter(slug=slug)
    if commission is not None:
        clash = clash.exclude(pk=commission.pk)
    if clash.exists():
        raise DomainError(_("Another commission has this name or slug."))
    created = commission is None
    before = snapshot(commission, COMMISSION_FIELDS)
    commission = commission or Commission()
    commission.name, commission.slug = name, slug
    commission.save()
    _log(
        commission,
        audit.RECORD_SAVE,
        actor,
        model="commission",
        created=created,
        changed=changes(before, commission, COMMISSION_FIELDS),
    )
    return commission


@transaction.atomic
def councillor_save(
    *,
    actor,
    name: str,
    party: str = "",
    constituency: str = "",
    is_active: bool = True,
    councillor: Councillor | None = None,
):
    _require(actor)
    name = (name or "").strip()
    if not name:
        raise DomainError(_("A councillor needs a name."))
    created = councillor is None
    before = snapshot(councillor, COUNCILLOR_FIELDS)
    councillor = councillor or Councillor()
    councillor.name = name
    councillor.party = (party or "").strip()
    councillor.constituency = (constituency or "").strip()
    councillor.is_active = bool(is_active)
    councillor.save()
    _log(
        councillor,
        audit.RECORD_SAVE,
        actor,
        model="councillor",
        created=created,
        changed=changes(before, councillor, COUNCILLOR_FIELDS),
    )
    return councillor


@transaction.atomic
def record_delete(*, actor, record) -> None:
    """Delete a commission, councillor or agenda item: refused while anything of the
    record's history points at it (sessions, attendance, votes, empty-seat applications)."""
    _require(actor)
    if isinstance(record, Commission) and record.sessions.exists():
        raise DomainError(_("This commission has sessions: it cannot be deleted."))
    if isinstance(record, Councillor) and (
        Attendance.objects.filter(councillor=record).exists()
        or RollCallVote.objects.filter(councillor=record).exists()
    ):
        raise DomainError(
            _("This councillor has attendance or votes on record: mark them as not in office.")
        )
    if isinstance(record, AgendaItem) and (
        record.votes.exists() or record.empty_seat_applications.exists()
    ):
        raise DomainError(
            _("This agenda item has votes or empty-seat applications: it cannot be deleted.")
        )
    if not isinstance(record, Commission | Councillor | AgendaItem):
        raise DomainError(_("This record cannot be deleted here."))
    _log(record, audit.RECORD_DELETE, actor, model=record._meta.model_name, title=str(record)[:200])
    record.delete()


# --- sessions ------------------------------------------------------------------------------
@transaction.atomic
def session_save(
    *,
    actor,
    kind: str,
    number: str,
    starts_at,
    place: str,
    commission: Commission | None = None,
    video_url: str = "",
    minutes_url: str = "",
    status: str = CouncilSession.Status.CONVENED,
    empty_seat_days: int | None = None,
    session: CouncilSession | None = None,
):
    _require(actor)
    if kind not in CouncilSession.Kind.values:
        raise DomainError(_("Choose the kind of session."))
    if status not in CouncilSession.Status.values:
        raise DomainError(_("Choose the status of the session."))
    if kind == CouncilSession.Kind.COMMISSION and commission is None:
        raise DomainError(_("A commission session needs its commission."))
    if kind != CouncilSession.Kind.COMMISSION and commission is not None:
        raise DomainError(_("Only commission sessions have a commission."))
    number, place = (number or "").strip(), (place or "").strip()
    if not number or not place or starts_at is None:
        raise DomainError(_("A session needs its number, date and time, and place."))
    if empty_seat_days is not None and not 0 <= int(empty_seat_days) <= 60:
        raise DomainError(_("The empty-seat deadline is between 0 and 60 days."))
    video_url, minutes_url = check_link(video_url), check_link(minutes_url)
    now = timezone.now()
    created = session is None
    before = {}
    if not created:
        session = CouncilSession.objects.select_for_update().get(pk=session.pk)
        before = snapshot(session, SESSION_FIELDS)
        if (
            session.status == CouncilSession.Status.HELD
            and status == session.status
            and starts_at > now
        ):
            raise DomainError(
                _("This session was held: its date and time cannot be moved into the future.")
            )
        if session.status == CouncilSession.Status.HELD and status != session.status:
            recorded = (
                session.attendance.exists()
                or RollCallVote.objects.filter(item__session=session).exists()
            )
            if recorded:
                raise DomainError(
                    _("This session has attendance or votes on record: it stays as held.")
                )
            if session.items.exclude(outcome="").exists():
                raise DomainError(
                    _(
                        "Agenda items of this session have an outcome: clear their outcomes "
                        "before changing the status."
                    )
                )
    if status == CouncilSession.Status.HELD and starts_at > now:
        raise DomainError(_("A session is marked as held once its date and time have passed."))
    session = session or CouncilSession()
    session.kind, session.commission = kind, commission
    session.number, session.starts_at, session.place = number, starts_at, place
    session.video_url, session.minutes_url, session.status = video_url, minutes_url, status
    if empty_seat_days is not None:
        session.empty_seat_days = int(empty_seat_days)
    session.save()
    _log(
        session,
        audit.SESSION_SAVE,
        actor,
        created=created,
        status=status,
        changed=changes(before, session, SESSION_FIELDS),
    )
    return session


@transaction.atomic
def session_delete(*, actor, session: CouncilSession) -> None:
    _require(actor)
    if (
        session.attendance.exists()
        or RollCallVote.objects.filter(item__session=session).exists()
        or EmptySeatApplication.objects.filter(item__session=session).exists()
    ):
        raise DomainError(
            _(
                "This session has attendance, votes or empty-seat applications on record: "
                "it cannot be deleted (mark it as postponed instead)."
            )
        )
    _log(session, audit.SESSION_DELETE, actor, title=str(session)[:200])
    session.delete()


# --- agenda items --------------------------------------------------------------------------
@transaction.atomic
def item_save(
    *,
    actor,
    session: CouncilSession,
    position: int,
    title: str,
    summary: str = "",
    consultation=None,
    empty_seat: bool = True,
    outcome: str = "",
    item: AgendaItem | None = None,
):
    _require(actor)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("An agenda item needs a title."))
    if position is None or not 1 <= int(position) <= 999:
        raise DomainError(_("The order is a number from 1 to 999."))
    if outcome not in AgendaItem.Outcome.values:
        raise DomainError(_("Choose the outcome of the item."))
    session = CouncilSession.objects.select_for_update().get(pk=session.pk)
    if outcome and session.status != CouncilSession.Status.HELD:
        raise DomainError(_("An outcome is recorded once the session was held."))
    taken = AgendaItem.objects.filter(session=session, position=position)
    before = {}
    if item is not None:
        item = AgendaItem.objects.select_for_update().get(pk=item.pk)
        before = snapshot(item, ITEM_FIELDS)
        taken = taken.exclude(pk=item.pk)
        fixed = item.votes.exists() or item.empty_seat_applications.exists()
        if fixed and item.session_id != session.pk:
            raise DomainError(
                _("This item has votes or empty-seat applications: it stays in its session.")
            )
        if fixed and item.position != int(position):
            raise DomainError(
                _(
                    "This item has votes or empty-seat applications: its order stays "
                    "%(position)s (its public address depends on it)."
                )
                % {"position": item.position}
            )
    if taken.exists():
        raise DomainError(_("The session already has an item with this order."))
    created = item is None
    item = item or AgendaItem()
    item.session, item.position, item.title = session, int(position), title
    item.summary = (summary or "").strip()
    item.consultation, item.empty_seat, item.outcome = consultation, bool(empty_seat), outcome
    item.save()
    _log(
        item,
        audit.RECORD_SAVE,
        actor,
        model="agendaitem",
        created=created,
        outcome=outcome,
        changed=changes(before, item, ITEM_FIELDS),
    )
    return item


# --- attendance and roll-call votes --------------------------------------------------------
def _held(session) -> None:
    if session.status != CouncilSession.Status.HELD:
        raise DomainError(
            _("Attendance and votes are recorded once the session is marked as held.")
        )


@transaction.atomic
def attendance_record(
    *, actor, session: CouncilSession, presence: dict, remove=()
) -> list[Attendance]:
    """Record the session's attendance: `presence` maps councillors (or their ids) to a
    presence; councillors left out keep what they had (a councillor with no record was
    not part of the session: commissions have only their members). `remove` lists
    councillors (or ids) whose record is deleted, refused once they have a vote on the
    session. A councillor with a vote cast on this session cannot be marked absent or
    excused (correct the votes first)."""
    _require(actor)
    session = CouncilSession.objects.select_for_update().get(pk=session.pk)
    _held(session)
    wanted = {getattr(key, "pk", key): value for key, value in presence.items()}
    removed = {getattr(key, "pk", key) for key in remove}
    councillors = Councillor.objects.in_bulk(list(set(wanted) | removed))
    if len(councillors) != len(set(wanted) | removed) or set(wanted) & removed:
        raise DomainError(_("Unknown councillor."))
    if any(value not in Presence.values for value in wanted.values()):
        raise DomainError(_("Choose the attendance of every councillor."))
    session_votes = RollCallVote.objects.filter(
        item__session=session, councillor_id__in=list(set(wanted) | removed)
    )
    with_votes = sorted(
        councillors[pk].name
        for pk in set(
            session_votes.filter(councillor_id__in=list(removed)).values_list(
                "councillor_id", flat=True
            )
        )
    )
    if with_votes:
        raise DomainError(
            _(
                "%(names)s have votes in this session: they stay on its attendance "
                "(correct their votes first)."
            )
            % {"names": ", ".join(with_votes)}
        )
    voted = set(
        session_votes.filter(councillor_id__in=list(wanted))
        .exclude(choice=Choice.ABSENT)
        .values_list("councillor_id", flat=True)
    )
    stuck = sorted(
        councillors[pk].name for pk, value in wanted.items() if pk in voted and value not in VOTERS
    )
    if stuck:
        raise DomainError(
            _("%(names)s voted in this session: correct their votes before marking them absent.")
            % {"names": ", ".join(stuck)}
        )
    existing = {a.councillor_id: a for a in session.attendance.all()}
    changed = {}
    for pk, value in wanted.items():
        row = existing.get(pk)
        if row is None:
            existing[pk] = Attendance.objects.create(
                session=session, councillor_id=pk, presence=value
            )
            changed[str(pk)] = [None, value]
        elif row.presence != value:
            changed[str(pk)] = [row.presence, value]
            row.presence = value
            row.save(update_fields=["presence"])
    for pk in sorted(removed):
        row = existing.pop(pk, None)
        if row is not None:
            changed[str(pk)] = [row.presence, None]
            row.delete()
    _log(session, audit.ATTENDANCE_SAVE, actor, changed=changed)
    return list(existing.values())


@transaction.atomic
def roll_call_record(
    *,
    actor,
    item: AgendaItem,
    votes: dict,
    empty_seat_votes: dict | None = None,
    outcome: str | None = None,
) -> list[RollCallVote]:
    """Record an item's roll call: `votes` maps councillors (or ids) to a choice,
    `empty_seat_votes` accredited applications (or ids) for this item to a choice. Each
    replaces that voter's earlier vote on the item; voters left out keep theirs."""
    _require(actor)
    item = AgendaItem.objects.select_for_update().select_related("session").get(pk=item.pk)
    _held(item.session)
    wanted = {getattr(key, "pk", key): value for key, value in votes.items()}
    seats = {getattr(key, "pk", key): value for key, value in (empty_seat_votes or {}).items()}
    if any(value not in Choice.values for value in [*wanted.values(), *seats.values()]):
        raise DomainError(_("Choose a vote for every row."))
    presence = dict(
        item.session.attendance.filter(councillor_id__in=list(wanted)).values_list(
            "councillor_id", "presence"
        )
    )
    if set(wanted) - set(presence):
        raise DomainError(
            _("Record the session's attendance first: only councillors on it can vote.")
        )
    names = dict(Councillor.objects.filter(pk__in=list(wanted)).values_list("pk", "name"))
    not_there = sorted(
        names[pk]
        for pk, value in wanted.items()
        if presence[pk] not in VOTERS and value != Choice.ABSENT
    )
    if not_there:
        raise DomainError(
            _("%(names)s did not attend the session: their vote can only be “absent”.")
            % {"names": ", ".join(not_there)}
        )
    if seats:
        accredited = set(
            item.empty_seat_applications.filter(
                pk__in=list(seats), status=EmptySeatApplication.Status.ACCREDITED
            ).values_list("pk", flat=True)
        )
        if accredited != set(seats):
            raise DomainError(
                _("Only organisations accredited for this item's empty seat can vote on it.")
            )
    if outcome is not None and outcome not in AgendaItem.Outcome.values:
        raise DomainError(_("Choose the outcome of the item."))
    current = {v.councillor_id: v for v in item.votes.filter(councillor__isnull=False)}
    current_seats = {v.empty_seat_id: v for v in item.votes.filter(empty_seat__isnull=False)}
    changed = {}
    try:
        for pk, value in wanted.items():
            vote = current.get(pk)
            if vote is None:
                current[pk] = RollCallVote.objects.create(item=item, councillor_id=pk, choice=value)
                changed[f"c{pk}"] = value
            elif vote.choice != value:
                vote.choice = value
                vote.save(update_fields=["choice"])
                changed[f"c{pk}"] = value
        for pk, value in seats.items():
            vote = current_seats.get(pk)
            if vote is None:
                current_seats[pk] = RollCallVote.objects.create(
                    item=item, empty_seat_id=pk, choice=value
                )
                changed[f"s{pk}"] = value
            elif vote.choice != value:
                vote.choice = value
                vote.save(update_fields=["choice"])
                changed[f"s{pk}"] = value
    except IntegrityError as error:  # a concurrent entry of the same vote
        raise DomainError(
            _("Someone else recorded these votes at the same time: reload.")
        ) from error
    if outcome is not None and outcome != item.outcome:
        item.outcome = outcome
        item.save(update_fields=["outcome"])
        changed["outcome"] = outcome
    _log(item, audit.ROLL_CALL_SAVE, actor, changed=changed)
    return [*current.values(), *current_seats.values()]
