"""Ballots under real concurrency, on PostgreSQL: 50 threads, each with its own database
connection opened beforehand, released together by a barrier. A double ballot is impossible
(unique constraint), concurrent changes of one ballot leave exactly one of the submitted
choices with none lost (row lock), and distinct voters never block each other out.

Skipped on SQLite: it serialises writers (so nothing would race) and its in-memory test
database is not shared between threads' connections. CI runs it on PostgreSQL
(DATABASE_URL), as does `DATABASE_URL=postgres://... make test`.
"""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections

from budgets import services
from budgets.models import Ballot, BallotLine
from territory.services import territory_load
from tests.budgets.builders import make_cycle, make_request, make_resident, wagtail_base

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="needs PostgreSQL (DATABASE_URL): SQLite serialises writers and its in-memory "
        "test database cannot be shared by the threads' connections, so nothing would race",
    ),
    pytest.mark.django_db(transaction=True),
]

RUNS = 50


class Outcome:
    def __init__(self):
        self.value = None
        self.backend_pid = None


def run_together(jobs):
    """Run the callables at the same moment in threads, each on its own connection (opened
    before the barrier, so all of them are live when it lifts). Returns one Outcome per job:
    what it returned or raised, and the PostgreSQL backend it ran on."""
    outcomes = [Outcome() for _ in jobs]
    barrier = threading.Barrier(len(jobs))

    def worker(job, outcome):
        try:
            with connection.cursor() as cursor:  # this thread's own connection
                cursor.execute("SELECT pg_backend_pid()")
                outcome.backend_pid = cursor.fetchone()[0]
            barrier.wait(timeout=60)
            outcome.value = job()
        except Exception as error:  # noqa: BLE001  (collected for the assertions)
            outcome.value = error
        finally:
            connections.close_all()

    pairs = zip(jobs, outcomes, strict=True)
    threads = [threading.Thread(target=worker, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert not any(thread.is_alive() for thread in threads), "a submission hung"
    # Every job ran, and on a connection of its own (none shared, none serialised on one).
    assert not any(isinstance(o.value, threading.BrokenBarrierError) for o in outcomes)
    assert len({o.backend_pid for o in outcomes}) == len(jobs)
    with connection.cursor() as cursor:  # nor the test's own
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] not in {o.backend_pid for o in outcomes}
    return [o.value for o in outcomes]


@pytest.fixture
def voting_cycle():
    wagtail_base()  # transactional tests start from an empty database
    territory_load()
    cycle = make_cycle("calderon", total=Decimal("60000.00"), phase="prioritisation")
    projects = [
        make_request(cycle, title=f"Proyecto {i}", cost=Decimal(cost))
        for i, cost in enumerate(["30000.00", "20000.00", "10000.00", "5000.00"])
    ]
    return cycle, projects


def test_fifty_simultaneous_submissions_by_one_user_give_one_consistent_ballot(voting_cycle):
    cycle, projects = voting_cycle
    voter = make_resident("calderon")
    choices = [
        [projects[(i + k) % len(projects)].pk for k in range(1 + i % 3)] for i in range(RUNS)
    ]

    def submit(ids):
        return lambda: services.ballot_submit(cycle=cycle, user=voter, request_ids=ids)

    outcomes = run_together([submit(ids) for ids in choices])
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert Ballot.objects.count() == 1
    ballot = Ballot.objects.get(cycle=cycle, resident=voter.resident)
    lines = sorted(BallotLine.objects.filter(ballot=ballot).values_list("request_id", flat=True))
    # Exactly one of the submitted choices, never a mix of two, and its total matches.
    assert lines in [sorted(ids) for ids in choices]
    costs = {p.pk: p.verdict.technical_cost for p in projects}
    assert ballot.total_cost == sum(costs[pk] for pk in lines)
    # Every submission was applied in turn: none lost.
    assert ballot.revision == RUNS


def test_fifty_distinct_users_at_once_give_fifty_ballots(voting_cycle):
    cycle, projects = voting_cycle
    voters = [make_resident("calderon") for _ in range(RUNS)]

    def submit(user, i):
        ids = [projects[i % len(projects)].pk]
        return lambda: services.ballot_submit(cycle=cycle, user=user, request_ids=ids)

    outcomes = run_together([submit(user, i) for i, user in enumerate(voters)])
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert Ballot.objects.filter(cycle=cycle).count() == RUNS
    assert BallotLine.objects.filter(ballot__cycle=cycle).count() == RUNS
    assert set(Ballot.objects.values_list("revision", flat=True)) == {1}


def test_the_constraint_alone_stops_racing_inserts(voting_cycle):
    """Even bypassing the service, simultaneous inserts of a second ballot fail."""
    cycle, _projects = voting_cycle
    resident = make_resident("calderon").resident

    def insert():
        return Ballot.objects.create(cycle=cycle, resident=resident)

    outcomes = run_together([insert for _ in range(RUNS)])
    created = [o for o in outcomes if isinstance(o, Ballot)]
    refused = [o for o in outcomes if isinstance(o, IntegrityError)]
    assert len(created) == 1
    assert len(refused) == RUNS - 1
    assert Ballot.objects.filter(cycle=cycle, resident=resident).count() == 1
