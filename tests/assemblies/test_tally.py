"""Coalesced tallies (assemblies/tally.py): a storm of ballots makes one `poll.tally` per
flush, not one per ballot; the last tally and `poll.closed` carry exactly the ballot rows;
ballots share the state lock, closing waits for them (PostgreSQL, real threads)."""

import threading

import pytest
from django.db import OperationalError, connection, connections, transaction
from django.utils import translation

from assemblies import services, tally
from assemblies.models import AssemblyEvent, Ballot
from quitodecide.errors import DomainError

from .conftest import make_assembly, staff_of, verified_resident

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL (DATABASE_URL): SQLite has no row locks and its in-memory test "
    "database is not shared between the threads' connections",
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def deferred(settings, monkeypatch):
    """A long delay, and the scheduler replaced by a recorder: flushes run only when the test
    says so (deterministic, no thread)."""
    settings.ASSEMBLIES_TALLY_DELAY = 3600
    scheduled = []
    monkeypatch.setattr(
        tally._scheduler, "schedule", lambda poll_id, wait: scheduled.append(poll_id)
    )
    return scheduled


def open_poll(assembly, staff):
    services.assembly_start(assembly=assembly, actor=staff)
    return services.poll_open(
        assembly=assembly, actor=staff, question="¿Aprueba?", options=["Sí", "No"], mode="both"
    )


def tallies(assembly):
    return list(AssemblyEvent.objects.filter(assembly=assembly, type="poll.tally"))


def online(payload):
    return [option["online"] for option in payload["poll"]["options"]]


def rows(poll):
    return [Ballot.objects.filter(option=option).count() for option in poll.options.all()]


def assert_gapless(assembly):
    seqs = list(AssemblyEvent.objects.filter(assembly=assembly).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


@pytest.mark.django_db
def test_a_storm_of_ballots_makes_one_tally_with_the_counts_of_the_rows(
    assembly, staff, zone_page, sent, deferred
):
    poll = open_poll(assembly, staff)
    yes, no = poll.options.all()
    for k in range(30):
        services.ballot_cast(
            poll=poll, voter=verified_resident(zone_page), option=(yes, no)[k % 3 == 0]
        )
    assert deferred == [poll.pk]  # the first ballot scheduled the flush; 29 found it pending
    assert tallies(assembly) == []
    tally.flush(poll.pk)
    [event] = tallies(assembly)
    assert online(event.payload) == rows(poll) == [20, 10]
    # The flush cleared the marker: the next ballot schedules the next tally.
    services.ballot_cast(poll=poll, voter=verified_resident(zone_page), option=yes)
    assert deferred == [poll.pk, poll.pk]
    assert_gapless(assembly)


@pytest.mark.django_db
def test_the_close_carries_a_ballot_cast_just_before_it_and_no_tally_follows(
    assembly, staff, zone_page, sent, deferred
):
    poll = open_poll(assembly, staff)
    yes, no = poll.options.all()
    services.ballot_cast(poll=poll, voter=verified_resident(zone_page), option=yes)
    tally.flush(poll.pk)
    services.ballot_cast(poll=poll, voter=verified_resident(zone_page), option=no)  # pending
    assert online(tallies(assembly)[-1].payload) == [1, 0]  # not tallied yet
    services.poll_close(poll=poll, actor=staff)
    closed = sent[-1]
    assert closed.type == "poll.closed"
    assert online(closed.payload) == rows(poll) == [1, 1]
    assert tally.flush(poll.pk) is None  # the pending flush finds the poll closed
    assert sent[-1] is closed
    with pytest.raises(DomainError, match="not open"):
        services.ballot_cast(poll=poll, voter=verified_resident(zone_page), option=yes)
    assert rows(poll) == [1, 1]
    assert_gapless(assembly)


@pytest.mark.django_db
def test_without_a_delay_each_ballot_is_tallied_at_once(assembly, staff, voter, sent):
    """The test settings (delay 0): the flush runs in the committing thread, no thread."""
    poll = open_poll(assembly, staff)
    services.ballot_cast(poll=poll, voter=voter, option=poll.options.first())
    assert sent[-1].type == "poll.tally"
    assert online(sent[-1].payload) == [1, 0]
    assert tally._scheduler.pending() == {}


# --- PostgreSQL, real threads and connections ------------------------------------------


def run_threads(jobs):
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):  # per thread
                outcomes[index] = job()
        except Exception as error:  # noqa: BLE001 (collected for the assertions)
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=pair) for pair in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a ballot hung"
    return outcomes


@pytest.fixture
def live_poll(transactional_territory):
    from territory.models import ZonePage

    zone_page = ZonePage.objects.get(zone__slug="calderon")
    assembly = make_assembly(zone_page, slug="tormenta")
    staff = staff_of(zone_page)
    voters = [verified_resident(zone_page) for _ in range(40)]
    return assembly, staff, open_poll(assembly, staff), voters


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_forty_concurrent_ballots_and_a_close_agree_with_the_rows(live_poll, deferred):
    """40 voters at once and staff closing the poll among them: every accepted vote is a
    row and is in `poll.closed`; the refused ones found the poll closed; the marker is
    atomic (one flush scheduled for 40 ballots)."""
    assembly, staff, poll, voters = live_poll
    yes, no = poll.options.all()
    jobs = [
        (lambda v=v, k=k: services.ballot_cast(poll=poll, voter=v, option=(yes, no)[k % 2]))
        for k, v in enumerate(voters)
    ]
    jobs.insert(20, lambda: services.poll_close(poll=poll, actor=staff))
    outcomes = run_threads(jobs)
    ballots = [o for o in outcomes if isinstance(o, Ballot)]
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(ballots) + len(refused) == 40, outcomes
    assert all("not open" in str(error.message) for error in refused)
    assert Ballot.objects.filter(poll=poll).count() == len(ballots)
    closed = AssemblyEvent.objects.get(assembly=assembly, type="poll.closed")
    assert sum(online(closed.payload)) == len(ballots)
    assert online(closed.payload) == rows(poll)
    assert deferred.count(poll.pk) == (1 if ballots else 0)
    assert tallies(assembly) == []  # none per ballot
    assert_gapless(assembly)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_ballots_share_the_lock_and_closing_waits_for_them(live_poll, deferred):
    """While one ballot transaction holds the state, another ballot goes through; closing
    does not (it would have to wait: here it times out)."""
    assembly, staff, poll, voters = live_poll
    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                services._share_lock(assembly.pk)
                holding.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(30)
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")
        services.ballot_cast(poll=poll, voter=voters[0], option=poll.options.first())
        with pytest.raises(OperationalError, match="lock timeout"):
            services.poll_close(poll=poll, actor=staff)
    finally:
        release.set()
        holder.join(30)
    services.poll_close(poll=poll, actor=staff)
    closed = AssemblyEvent.objects.get(assembly=assembly, type="poll.closed")
    assert online(closed.payload) == [1, 0]


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_the_flusher_thread_sends_the_trailing_tally(live_poll, settings, monkeypatch):
    """The real scheduler: ballots in quick succession, then the thread's flush. The
    tallies come from the flusher thread, the last holds every row, and the thread ends
    when nothing is due."""
    settings.ASSEMBLIES_TALLY_DELAY = 0.05
    from assemblies import broadcast

    emitted_by = []
    poll_tally = services.poll_tally

    def recording(poll_id):
        emitted_by.append(threading.current_thread().name)
        return poll_tally(poll_id)

    monkeypatch.setattr(services, "poll_tally", recording)
    original, broadcast.send_event = broadcast.send_event, lambda event: None
    try:
        assembly, staff, poll, voters = live_poll
        for voter in voters[:10]:
            services.ballot_cast(poll=poll, voter=voter, option=poll.options.first())
        assert tally._scheduler.wait_idle(30)
    finally:
        broadcast.send_event = original
    assert emitted_by and set(emitted_by) == {"assemblies-tally"}
    events = tallies(assembly)
    assert 1 <= len(events) == len(emitted_by) <= 10
    assert online(events[-1].payload) == rows(poll) == [10, 0]
    assert_gapless(assembly)
