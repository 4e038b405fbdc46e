"""Every write of a live assembly goes through here.

Each service locks the assembly's `LiveState` row, makes its change, stores an
`AssemblyEvent` with the next sequence number in the same transaction, and broadcasts the
event after commit (`transaction.on_commit`). Ballots are the exception: they share the
lock and emit no event each; tally.py sends coalesced tallies. Staff actions are checked with
the rule book's `assemblies.run` (MFA included) and recorded in Wagtail's audit log.
"""

import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from quitodecide import rulebook
from quitodecide.errors import DomainError, PermissionDenied
from quitodecide.pagecache import purge as purge_pages

from . import audit, broadcast, selectors, tally
from .models import (
    ANNOUNCEMENT_MAX_LENGTH,
    QUESTION_MAX_LENGTH,
    AgendaItem,
    Announcement,
    AssemblyEvent,
    AssemblyPage,
    AssemblyStatus,
    Ballot,
    LiveState,
    Poll,
    PollOption,
    Question,
    QuestionUpvote,
)
from .rules import vote_refusal

MAX_OPTIONS = 10
# A hand count per option: more people than any hall in Quito holds is a typing error (and
# the column is a 32-bit integer).
MAX_HAND_COUNT = 100_000
QUESTION_RATE = 3  # questions per person and assembly...
QUESTION_RATE_WINDOW = datetime.timedelta(minutes=5)  # ...within this window


class RateLimited(DomainError):
    """Too many questions from one person in a short time (the live page's fetch path
    answers it with HTTP 429)."""


def _lock(assembly_id: int) -> LiveState:
    """Lock the assembly's live state (created on first use) for the rest of the
    transaction. Concurrent changes of one assembly queue here, which keeps `seq` gapless."""
    LiveState.objects.get_or_create(assembly_id=assembly_id)
    return LiveState.objects.select_for_update().get(assembly_id=assembly_id)


def _emit(
    state: LiveState, type_: str, payload: dict, *, staff_payload: dict | None = None
) -> AssemblyEvent:
    """Number and store an event with the change; broadcast it once the change commits."""
    state.last_seq += 1  # safe: the row is locked by `_lock` until commit
    state.save(update_fields=["last_seq"])
    event = AssemblyEvent.objects.create(
        assembly_id=state.assembly_id,
        seq=state.last_seq,
        type=type_,
        payload=payload,
        staff_payload=staff_payload,
        created_at=timezone.now(),
    )
    # robust: a channel layer outage must not turn a committed change into an error page.
    transaction.on_commit(lambda: broadcast.send_event(event), robust=True)
    return event


def _require_staff(actor, assembly: AssemblyPage) -> None:
    if not rulebook.allowed(actor, "assemblies.run", assembly):
        raise PermissionDenied(_("Only staff of this zone can run this assembly."))


def _require_status(state: LiveState, *allowed: str) -> None:
    if state.status not in allowed:
        messages = {
            AssemblyStatus.SCHEDULED: _("The assembly has not started yet."),
            AssemblyStatus.LIVE: _("The assembly is in progress."),
            AssemblyStatus.FINISHED: _("The assembly has finished."),
        }
        raise DomainError(messages[state.status])


def _poll_payload(poll: Poll) -> dict:
    return {"poll": selectors.poll_data(poll)}


def _questions_event(state, type_: str, questions: list[Question]) -> AssemblyEvent:
    return _emit(
        state,
        type_,
        {"questions": [selectors.question_public_data(q) for q in questions]},
        staff_payload={"questions": [selectors.question_data(q) for q in questions]},
    )


# --- Running the assembly (staff) -------------------------------------------------------


@transaction.atomic
def assembly_start(*, assembly: AssemblyPage, actor) -> LiveState:
    _require_staff(actor, assembly)
    state = _lock(assembly.pk)
    _require_status(state, AssemblyStatus.SCHEDULED)
    state.status = AssemblyStatus.LIVE
    state.started_at = timezone.now()
    if state.current_item_id is None:
        state.current_item = (
            AgendaItem.objects.filter(page_id=assembly.pk).order_by("sort_order", "pk").first()
        )
    state.save(update_fields=["status", "started_at", "current_item"])
    _emit(
        state,
        "assembly.started",
        {"assembly": selectors.assembly_data(state), "current_item": state.current_item_id},
    )
    log(instance=assembly, action=audit.START, user=actor)
    return state


@transaction.atomic
def assembly_end(*, assembly: AssemblyPage, actor) -> LiveState:
    """End the assembly. A vote still open is closed first (its own event)."""
    _require_staff(actor, assembly)
    state = _lock(assembly.pk)
    _require_status(state, AssemblyStatus.LIVE)
    for poll in Poll.objects.filter(assembly_id=assembly.pk, status=Poll.Status.OPEN):
        _close_poll(state, poll)
    state.status = AssemblyStatus.FINISHED
    state.ended_at = timezone.now()
    state.save(update_fields=["status", "ended_at"])
    _emit(state, "assembly.ended", {"assembly": selectors.assembly_data(state)})
    log(instance=assembly, action=audit.END, user=actor)
    return state


@transaction.atomic
def agenda_advance(*, assembly: AssemblyPage, actor, item: AgendaItem | None = None) -> LiveState:
    """Move to `item`, or to the next item of the agenda."""
    _require_staff(actor, assembly)
    state = _lock(assembly.pk)
    _require_status(state, AssemblyStatus.LIVE)
    items = list(AgendaItem.objects.filter(page_id=assembly.pk).order_by("sort_order", "pk"))
    if item is not None:
        if item.page_id != assembly.pk:
            raise DomainError(_("This agenda item belongs to another assembly."))
        target = item
    else:
        ids = [i.pk for i in items]
        position = ids.index(state.current_item_id) + 1 if state.current_item_id in ids else 0
        if position >= len(items):
            raise DomainError(_("The agenda has no further items."))
        target = items[position]
    state.current_item = target
    state.save(update_fields=["current_item"])
    _emit(state, "agenda.advanced", {"current_item": target.pk})
    log(instance=assembly, action=audit.AGENDA, user=actor, data={"item": target.title})
    return state


@transaction.atomic
def announcement_post(*, assembly: AssemblyPage, actor, text: str) -> Announcement:
    _require_staff(actor, assembly)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the announcement."))
    if len(text) > ANNOUNCEMENT_MAX_LENGTH:
        raise DomainError(
            _("An announcement has at most %(n)s characters.") % {"n": ANNOUNCEMENT_MAX_LENGTH}
        )
    state = _lock(assembly.pk)
    _require_status(state, AssemblyStatus.SCHEDULED, AssemblyStatus.LIVE)
    announcement = Announcement.objects.create(assembly_id=assembly.pk, text=text, author=actor)
    _emit(
        state,
        "announcement.posted",
        {"announcement": selectors.announcement_data(announcement)},
    )
    log(instance=assembly, action=audit.ANNOUNCE, user=actor)
    return announcement


@transaction.atomic
def poll_open(
    *, assembly: AssemblyPage, actor, question: str, options: list[str], mode: str
) -> Poll:
    _require_staff(actor, assembly)
    question = (question or "").strip()
    labels = [label.strip() for label in options if label and label.strip()]
    if not question:
        raise DomainError(_("Write the question to vote on."))
    if mode not in Poll.Mode.values:
        raise DomainError(_("Choose who votes."))
    if not 2 <= len(labels) <= MAX_OPTIONS:
        raise DomainError(_("A vote needs between 2 and %(n)s options.") % {"n": MAX_OPTIONS})
    if len({label.casefold() for label in labels}) != len(labels):
        raise DomainError(_("Two options have the same text."))
    state = _lock(assembly.pk)
    _require_status(state, AssemblyStatus.LIVE)
    if Poll.objects.filter(assembly_id=assembly.pk, status=Poll.Status.OPEN).exists():
        raise DomainError(_("Close the open vote before opening another."))
    poll = Poll.objects.create(assembly_id=assembly.pk, question=question, mode=mode)
    PollOption.objects.bulk_create(
        [PollOption(poll=poll, label=label, position=i) for i, label in enumerate(labels)]
    )
    _emit(state, "poll.opened", _poll_payload(poll))
    log(instance=assembly, action=audit.POLL_OPEN, user=actor, data={"question": question})
    return poll


def _close_poll(state: LiveState, poll: Poll) -> None:
    """`poll.closed` carries the final counts: the caller holds the state exclusively, so
    every accepted ballot (each holds it shared until it commits) is counted, and no ballot
    is accepted after it (a later one waits for the lock, then finds the poll closed)."""
    poll.status = Poll.Status.CLOSED
    poll.closed_at = timezone.now()
    poll.save(update_fields=["status", "closed_at"])
    _emit(state, "poll.closed", _poll_payload(poll))


def _locked_poll(poll: Poll) -> tuple[LiveState, Poll]:
    state = _lock(poll.assembly_id)
    return state, Poll.objects.get(pk=poll.pk)  # re-read under the lock


@transaction.atomic
def poll_close(*, poll: Poll, actor) -> Poll:
    _require_staff(actor, poll.assembly)
    state, poll = _locked_poll(poll)
    if poll.status != Poll.Status.OPEN:
        raise DomainError(_("This vote is already closed."))
    _close_poll(state, poll)
    log(instance=poll.assembly, action=audit.POLL_CLOSE, user=actor, data={"poll": poll.pk})
    return poll


@transaction.atomic
def poll_record_room_counts(*, poll: Poll, actor, counts: dict[int, int]) -> Poll:
    """Enter the hand count of the room, per option id."""
    _require_staff(actor, poll.assembly)
    state, poll = _locked_poll(poll)
    if not poll.counts_room:
        raise DomainError(_("This vote has no hand count in the room."))
    if poll.results_published:
        raise DomainError(_("The results of this vote are already published."))
    options = {option.pk: option for option in poll.options.all()}
    if set(counts) - set(options):
        raise DomainError(_("An option does not belong to this vote."))
    for option_id, count in counts.items():
        if count is None or count < 0:
            raise DomainError(_("A hand count is a whole number, zero or more."))
        if count > MAX_HAND_COUNT:
            raise DomainError(
                _("A hand count of more than %(n)s people is not plausible.")
                % {"n": MAX_HAND_COUNT}
            )
        options[option_id].room_count = count
    PollOption.objects.bulk_update(options.values(), ["room_count"])
    purge_pages()  # no signal from this write: drop cached pages
    _emit(state, "poll.room_counts", _poll_payload(poll))
    log(instance=poll.assembly, action=audit.ROOM_COUNT, user=actor, data={"counts": counts})
    return poll


@transaction.atomic
def poll_publish_results(*, poll: Poll, actor) -> Poll:
    _require_staff(actor, poll.assembly)
    state, poll = _locked_poll(poll)
    if poll.status != Poll.Status.CLOSED:
        raise DomainError(_("Close the vote before publishing its results."))
    if poll.results_published:
        raise DomainError(_("The results of this vote are already published."))
    if poll.counts_room and poll.options.filter(room_count__isnull=True).exists():
        raise DomainError(_("Enter the hand count of every option first."))
    poll.results_published = True
    poll.save(update_fields=["results_published"])
    _emit(state, "poll.results_published", _poll_payload(poll))
    log(instance=poll.assembly, action=audit.RESULTS, user=actor, data={"poll": poll.pk})
    return poll


@transaction.atomic
def poll_reopen(*, poll: Poll, actor, confirm: bool = False) -> Poll:
    """Open a closed vote again (closed too early, or the room asks to vote again). If its
    results were published, reopening withdraws them: staff must confirm that explicitly,
    and the audit entry records it. Ballots already cast stay; hand counts stay until
    entered again."""
    _require_staff(actor, poll.assembly)
    state, poll = _locked_poll(poll)
    _require_status(state, AssemblyStatus.LIVE)
    if poll.status != Poll.Status.CLOSED:
        raise DomainError(_("This vote is open."))
    if Poll.objects.filter(assembly_id=poll.assembly_id, status=Poll.Status.OPEN).exists():
        raise DomainError(_("Close the open vote before opening another."))
    withdrawn = poll.results_published
    if withdrawn and not confirm:
        raise DomainError(
            _(
                "The results of this vote are published. Tick the confirmation to withdraw "
                "them and reopen the vote."
            )
        )
    poll.status = Poll.Status.OPEN
    poll.closed_at = None
    poll.results_published = False
    poll.save(update_fields=["status", "closed_at", "results_published"])
    _emit(state, "poll.reopened", _poll_payload(poll))
    log(
        instance=poll.assembly,
        action=audit.POLL_REOPEN,
        user=actor,
        data={"poll": poll.pk, "results_withdrawn": withdrawn},
    )
    return poll


@transaction.atomic
def question_moderate(*, question: Question, actor, action: str) -> Question:
    """`action`: approve, hide, answer, pin or unpin. Pinning unpins the question pinned
    before (one question is discussed at a time)."""
    _require_staff(actor, question.assembly)
    state = _lock(question.assembly_id)
    question = Question.objects.get(pk=question.pk)
    changed = [question]
    if action == "approve":
        question.status, question.pinned = Question.Status.APPROVED, False
    elif action == "hide":
        question.status, question.pinned = Question.Status.HIDDEN, False
    elif action == "answer":
        question.status, question.pinned = Question.Status.ANSWERED, False
    elif action in ("pin", "unpin"):
        if action == "pin" and question.status != Question.Status.APPROVED:
            raise DomainError(_("Approve the question before pinning it."))
        if action == "pin":
            for other in Question.objects.filter(assembly_id=question.assembly_id, pinned=True):
                if other.pk != question.pk:
                    other.pinned = False
                    other.save(update_fields=["pinned"])
                    changed.append(other)
        question.pinned = action == "pin"
    else:
        raise DomainError(_("Unknown moderation action."))
    question.save(update_fields=["status", "pinned"])
    _questions_event(state, "question.moderated", changed)
    log(
        instance=question.assembly,
        action=audit.MODERATE,
        user=actor,
        data={"question": question.pk, "action": action},
    )
    return question


# --- Taking part (residents and visitors with an account) -------------------------------


def _share_lock(assembly_id: int) -> LiveState | None:
    """Lock the assembly's live state in share mode for the rest of the transaction.

    Ballots hold it together, so they do not queue behind each other; every other change
    (closing a poll, numbering an event) locks the row exclusively (`_lock`) and therefore
    waits for the ballots in flight, and the ballots that come later wait for it and then
    read what it committed. SQLite has no row locks (it serialises writers anyway)."""
    if connection.vendor != "postgresql":
        return LiveState.objects.filter(assembly_id=assembly_id).select_for_update().first()
    table = connection.ops.quote_name(LiveState._meta.db_table)
    column = connection.ops.quote_name(LiveState._meta.pk.column)
    rows = LiveState.objects.raw(
        f"SELECT * FROM {table} WHERE {column} = %s FOR SHARE",  # noqa: S608 (names only)
        [assembly_id],
    )
    return next(iter(rows), None)


@transaction.atomic
def ballot_cast(*, poll: Poll, voter, option: PollOption) -> Ballot:
    """One final vote per verified resident and poll; the unique constraint decides races.

    No event per ballot: once the ballot commits, `tally.ballot_committed` makes sure one
    coalesced `poll.tally` that includes it follows (at most a few per second and poll),
    and closing the poll sends the final counts."""
    state = _share_lock(poll.assembly_id)
    loaded = poll
    poll = Poll.objects.get(pk=poll.pk)  # re-read under the lock
    if Poll.assembly.is_cached(loaded):
        # the assembly page the caller already holds (its zone and parish do not change
        # with the vote; its live status is read under the lock just above)
        poll.assembly = loaded.assembly
    if option.poll_id != poll.pk:
        raise DomainError(_("This option does not belong to this vote."))
    status = state.status if state is not None else AssemblyStatus.SCHEDULED
    poll.assembly.__dict__["_locked_status"] = status
    if not rulebook.allowed(voter, "assemblies.vote", poll):
        if not (
            poll.status == Poll.Status.OPEN and poll.counts_online and status == AssemblyStatus.LIVE
        ):
            raise DomainError(_("This vote is not open for online voting."))
        raise PermissionDenied(vote_refusal(voter, poll))
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(poll=poll, option=option, voter=voter)
    except IntegrityError:
        raise DomainError(_("You have already voted on this question.")) from None
    poll_id = poll.pk
    transaction.on_commit(lambda: tally.ballot_committed(poll_id), robust=True)
    return ballot


@transaction.atomic
def poll_tally(poll_id: int) -> AssemblyEvent | None:
    """Emit the current counts of an open poll as one `poll.tally` (called by tally.py,
    never per ballot). A closed poll gets none: `poll.closed` carried its final counts."""
    poll = Poll.objects.filter(pk=poll_id).first()
    if poll is None:
        return None
    state, poll = _locked_poll(poll)
    if poll.status != Poll.Status.OPEN:
        return None
    return _emit(state, "poll.tally", _poll_payload(poll))


@transaction.atomic
def question_submit(*, assembly: AssemblyPage, author, text: str) -> Question:
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write your question."))
    if len(text) > QUESTION_MAX_LENGTH:
        raise DomainError(
            _("A question has at most %(n)s characters.") % {"n": QUESTION_MAX_LENGTH}
        )
    state = _lock(assembly.pk)
    assembly.__dict__["_locked_status"] = state.status
    if not rulebook.allowed(author, "assemblies.ask", assembly):
        if not (author and author.is_authenticated):
            raise PermissionDenied(_("Log in to ask a question."))
        _require_status(state, AssemblyStatus.SCHEDULED, AssemblyStatus.LIVE)
    recent = Question.objects.filter(
        assembly_id=assembly.pk,
        author=author,
        created_at__gte=timezone.now() - QUESTION_RATE_WINDOW,
    ).count()
    if recent >= QUESTION_RATE:
        raise RateLimited(
            _("You have sent %(n)s questions in the last minutes. Please wait a moment.")
            % {"n": recent}
        )
    question = Question.objects.create(assembly_id=assembly.pk, author=author, text=text)
    _questions_event(state, "question.submitted", [question])
    return question


@transaction.atomic
def question_upvote(*, question: Question, user) -> Question:
    state = _lock(question.assembly_id)
    question = Question.objects.get(pk=question.pk)
    question.assembly.__dict__["_locked_status"] = state.status
    if not rulebook.allowed(user, "assemblies.upvote", question):
        if not (user and user.is_authenticated):
            raise PermissionDenied(_("Log in to support a question."))
        if question.author_id == user.pk:
            raise PermissionDenied(_("You cannot support your own question."))
        raise DomainError(_("The assembly has finished."))
    if question.status != Question.Status.APPROVED:
        raise DomainError(_("This question cannot be supported."))
    try:
        with transaction.atomic():
            QuestionUpvote.objects.create(question=question, user=user)
    except IntegrityError:
        raise DomainError(_("You already support this question.")) from None
    Question.objects.filter(pk=question.pk).update(upvote_count=F("upvote_count") + 1)
    purge_pages()  # no signal from this write: drop cached pages
    question.refresh_from_db(fields=["upvote_count"])
    _questions_event(state, "question.upvoted", [question])
    return question
