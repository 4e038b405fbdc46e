"""Services: every change is stored with a gapless sequence number and broadcast; rules are
enforced; staff actions are audited."""

import threading

import pytest
from django.db import close_old_connections, connection
from wagtail.models import PageLogEntry

from assemblies import services
from assemblies.models import AssemblyEvent, Ballot, Poll, Question
from quitodecide.errors import DomainError, PermissionDenied

from .conftest import make_assembly, verified_resident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Messages are matched in English here; test_views checks the Spanish pages.
    from django.utils import translation

    with translation.override("en"):
        yield


def open_poll(assembly, staff, mode=Poll.Mode.BOTH):
    return services.poll_open(
        assembly=assembly, actor=staff, question="¿Aprueba?", options=["Sí", "No"], mode=mode
    )


def test_start_emits_numbered_events_and_audits(assembly, staff, sent):
    state = services.assembly_start(assembly=assembly, actor=staff)
    assert state.status == "en_curso"
    assert state.current_item.title == "Apertura"
    services.agenda_advance(assembly=assembly, actor=staff)
    services.announcement_post(assembly=assembly, actor=staff, text="Bienvenidos")
    events = list(AssemblyEvent.objects.filter(assembly=assembly))
    assert [(e.seq, e.type) for e in events] == [
        (1, "assembly.started"),
        (2, "agenda.advanced"),
        (3, "announcement.posted"),
    ]
    assert [e.seq for e in sent] == [1, 2, 3]  # broadcast after commit, in order
    assert events[1].payload == {"current_item": assembly.agenda_items.all()[1].pk}
    actions = set(PageLogEntry.objects.filter(page=assembly).values_list("action", flat=True))
    assert {"assemblies.start", "assemblies.agenda_advance", "assemblies.announce"} <= actions


def test_sequences_are_per_assembly(assembly, zone_page, staff, sent):
    other = make_assembly(zone_page, slug="otra")
    services.assembly_start(assembly=assembly, actor=staff)
    services.assembly_start(assembly=other, actor=staff)
    assert AssemblyEvent.objects.get(assembly=other).seq == 1


def test_staff_of_another_zone_and_residents_are_refused(assembly, other_staff, voter, sent):
    for user in (other_staff, voter):
        with pytest.raises(PermissionDenied):
            services.assembly_start(assembly=assembly, actor=user)
    assert not AssemblyEvent.objects.exists()
    assert sent == []


def test_status_rules(assembly, staff, sent):
    with pytest.raises(DomainError):
        services.agenda_advance(assembly=assembly, actor=staff)  # not started
    services.assembly_start(assembly=assembly, actor=staff)
    with pytest.raises(DomainError):
        services.assembly_start(assembly=assembly, actor=staff)
    services.agenda_advance(assembly=assembly, actor=staff)
    services.agenda_advance(assembly=assembly, actor=staff)
    with pytest.raises(DomainError, match="no further"):
        services.agenda_advance(assembly=assembly, actor=staff)
    poll = open_poll(assembly, staff)
    state = services.assembly_end(assembly=assembly, actor=staff)
    assert state.status == "finalizada"
    poll.refresh_from_db()
    assert poll.status == "closed"  # ending the assembly closes the open vote
    types = list(AssemblyEvent.objects.values_list("type", flat=True))
    assert types[-2:] == ["poll.closed", "assembly.ended"]


def test_vote_flow_with_room_counts_and_results(assembly, staff, voter, zone_page, sent):
    services.assembly_start(assembly=assembly, actor=staff)
    with pytest.raises(DomainError):
        services.poll_open(
            assembly=assembly, actor=staff, question="¿?", options=["Sí"], mode="both"
        )
    poll = open_poll(assembly, staff)
    with pytest.raises(DomainError, match="Close the open vote"):
        open_poll(assembly, staff)
    yes, no = poll.options.all()
    services.ballot_cast(poll=poll, voter=voter, option=yes)
    services.ballot_cast(poll=poll, voter=verified_resident(zone_page), option=no)
    with pytest.raises(DomainError, match="already voted"):
        services.ballot_cast(poll=poll, voter=voter, option=no)
    tally = sent[-1].payload["poll"]
    assert [o["online"] for o in tally["options"]] == [1, 1]
    with pytest.raises(DomainError):
        services.poll_publish_results(poll=poll, actor=staff)  # still open
    services.poll_close(poll=poll, actor=staff)
    with pytest.raises(DomainError, match="hand count"):
        services.poll_publish_results(poll=poll, actor=staff)
    services.poll_record_room_counts(poll=poll, actor=staff, counts={yes.pk: 40, no.pk: 7})
    poll = services.poll_publish_results(poll=poll, actor=staff)
    data = sent[-1].payload["poll"]
    assert data["results_published"] is True
    assert [(o["online"], o["room"], o["total"]) for o in data["options"]] == [
        (1, 40, 41),
        (1, 7, 8),
    ]
    assert (data["online_total"], data["room_total"], data["total"]) == (2, 47, 49)


def test_only_verified_residents_vote_online(assembly, staff, unverified, sent):
    services.assembly_start(assembly=assembly, actor=staff)
    poll = open_poll(assembly, staff)
    with pytest.raises(PermissionDenied):
        services.ballot_cast(poll=poll, voter=unverified, option=poll.options.first())
    room_only = services.poll_close(poll=poll, actor=staff)
    assert room_only.status == "closed"
    poll = open_poll(assembly, staff, mode=Poll.Mode.ROOM)
    voter = verified_resident(assembly.get_parent().specific)
    with pytest.raises(DomainError, match="not open for online"):
        services.ballot_cast(poll=poll, voter=voter, option=poll.options.first())


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_ballots_by_one_person_give_one_vote(transactional_territory):
    """The real race: 20 threads, 20 connections, one person. Runs on PostgreSQL (CI); on
    SQLite it runs the same attempts sequentially (SQLite has one writer at a time)."""
    from assemblies import broadcast
    from territory.models import ZonePage

    from .conftest import staff_of

    zone_page = ZonePage.objects.get(zone__slug="calderon")
    assembly = make_assembly(zone_page, slug="carrera")
    staff = staff_of(zone_page)
    voter = verified_resident(zone_page)
    original = broadcast.send_event
    broadcast.send_event = lambda event: None
    try:
        services.assembly_start(assembly=assembly, actor=staff)
        poll = open_poll(assembly, staff)
        option = poll.options.first()
        outcomes = []
        barrier = threading.Barrier(20)

        def attempt():
            try:
                barrier.wait(timeout=10)
                services.ballot_cast(poll=poll, voter=voter, option=option)
                outcomes.append("ok")
            except DomainError:
                outcomes.append("refused")
            finally:
                close_old_connections()
                connection.close()

        if connection.vendor == "postgresql":
            threads = [threading.Thread(target=attempt) for _ in range(20)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
        else:
            barrier = threading.Barrier(1)
            for _ in range(20):
                attempt()
        assert len(outcomes) == 20
        assert outcomes.count("ok") == 1
        assert Ballot.objects.filter(poll=poll, voter=voter).count() == 1
        tallies = AssemblyEvent.objects.filter(assembly=assembly, type="poll.tally")
        assert tallies.count() == 1
        seqs = list(AssemblyEvent.objects.filter(assembly=assembly).values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))  # gapless
    finally:
        broadcast.send_event = original


def test_questions_moderation_and_upvotes(assembly, staff, voter, unverified, sent):
    question = services.question_submit(assembly=assembly, author=voter, text="¿Y el agua?")
    event = sent[-1]
    assert event.payload == {"questions": [{"id": question.pk, "status": "withheld"}]}
    assert event.staff_payload["questions"][0]["text"] == "¿Y el agua?"
    with pytest.raises(DomainError):
        services.question_upvote(question=question, user=unverified)  # not approved yet
    services.question_moderate(question=question, actor=staff, action="approve")
    assert sent[-1].payload["questions"][0]["text"] == "¿Y el agua?"
    services.question_upvote(question=question, user=unverified)
    with pytest.raises(DomainError, match="already support"):
        services.question_upvote(question=question, user=unverified)
    question.refresh_from_db()
    assert question.upvote_count == 1
    other = services.question_submit(assembly=assembly, author=unverified, text="Otra")
    services.question_moderate(question=other, actor=staff, action="approve")
    services.question_moderate(question=question, actor=staff, action="pin")
    services.question_moderate(question=other, actor=staff, action="pin")
    assert list(Question.objects.filter(pinned=True)) == [other]
    assert {q["id"] for q in sent[-1].payload["questions"]} == {question.pk, other.pk}
    services.question_moderate(question=other, actor=staff, action="hide")
    assert sent[-1].payload["questions"] == [{"id": other.pk, "status": "withheld"}]
    with pytest.raises(PermissionDenied):
        services.question_moderate(question=question, actor=voter, action="hide")


def test_question_length_and_rate_limit(assembly, voter, sent):
    with pytest.raises(DomainError, match="500"):
        services.question_submit(assembly=assembly, author=voter, text="x" * 501)
    services.question_submit(assembly=assembly, author=voter, text="x" * 500)
    services.question_submit(assembly=assembly, author=voter, text="dos")
    services.question_submit(assembly=assembly, author=voter, text="tres")
    with pytest.raises(DomainError, match="wait"):
        services.question_submit(assembly=assembly, author=voter, text="cuatro")
    assert Question.objects.count() == 3


def test_finished_assembly_takes_no_questions(assembly, staff, voter, sent):
    services.assembly_start(assembly=assembly, actor=staff)
    services.assembly_end(assembly=assembly, actor=staff)
    with pytest.raises(DomainError):
        services.question_submit(assembly=assembly, author=voter, text="¿Tarde?")
