"""Ballots under concurrency: a double vote is impossible by database constraint.

On PostgreSQL (CI) the submissions run in 50 threads, each with its own connection, released
together by a barrier. SQLite serialises writers and its in-memory test database cannot be
shared between threads the same way, so there the same submissions run one after another
and the same outcome is asserted.
"""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections

from budgets import services
from budgets.models import Ballot, BallotLine
from territory.services import territory_load
from tests.budgets.builders import make_cycle, make_request, make_resident, wagtail_base

pytestmark = pytest.mark.django_db(transaction=True)

RUNS = 50
PARALLEL = connection.vendor == "postgresql"


def run_all(jobs):
    """Run the callables together in threads (PostgreSQL) or in turn (SQLite); return what
    each returned or raised."""
    outcomes = [None] * len(jobs)
    if not PARALLEL:
        for index, job in enumerate(jobs):
            try:
                outcomes[index] = job()
            except Exception as error:  # noqa: BLE001  (collected for the assertions)
                outcomes[index] = error
        return outcomes
    barrier = threading.Barrier(len(jobs))

    def worker(index, job):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = job()
        except Exception as error:  # noqa: BLE001
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.fixture
def voting_cycle():
    wagtail_base()
    territory_load()
    cycle = make_cycle("calderon", total=Decimal("60000.00"), phase="prioritisation")
    projects = [
        make_request(cycle, title=f"Proyecto {i}", cost=Decimal(cost))
        for i, cost in enumerate(["30000.00", "20000.00", "10000.00", "5000.00"])
    ]
    return cycle, projects


def test_fifty_parallel_submissions_by_one_user_give_one_consistent_ballot(voting_cycle):
    cycle, projects = voting_cycle
    voter = make_resident("calderon")
    choices = [
        [projects[(i + k) % len(projects)].pk for k in range(1 + i % 3)] for i in range(RUNS)
    ]

    def submit(ids):
        return lambda: services.ballot_submit(cycle=cycle, user=voter, request_ids=ids)

    outcomes = run_all([submit(ids) for ids in choices])
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert errors == []
    ballot = Ballot.objects.get(cycle=cycle, resident=voter.resident)
    lines = sorted(BallotLine.objects.filter(ballot=ballot).values_list("request_id", flat=True))
    # Exactly one of the submitted choices, never a mix of two, and its total matches.
    assert lines in [sorted(ids) for ids in choices]
    costs = {p.pk: p.verdict.technical_cost for p in projects}
    assert ballot.total_cost == sum(costs[pk] for pk in lines)
    # Every submission was applied in turn: none lost.
    assert ballot.revision == RUNS
    assert Ballot.objects.count() == 1


def test_fifty_distinct_users_give_fifty_ballots(voting_cycle):
    cycle, projects = voting_cycle
    voters = [make_resident("calderon") for _ in range(RUNS)]

    def submit(user, i):
        ids = [projects[i % len(projects)].pk]
        return lambda: services.ballot_submit(cycle=cycle, user=user, request_ids=ids)

    outcomes = run_all([submit(user, i) for i, user in enumerate(voters)])
    assert [o for o in outcomes if isinstance(o, Exception)] == []
    assert Ballot.objects.filter(cycle=cycle).count() == RUNS
    assert BallotLine.objects.filter(ballot__cycle=cycle).count() == RUNS


def test_the_constraint_alone_stops_racing_inserts(voting_cycle):
    """Even bypassing the service, concurrent inserts of a second ballot fail."""
    cycle, _projects = voting_cycle
    resident = make_resident("calderon").resident

    def insert():
        return Ballot.objects.create(cycle=cycle, resident=resident)

    outcomes = run_all([insert for _ in range(RUNS)])
    created = [o for o in outcomes if isinstance(o, Ballot)]
    refused = [o for o in outcomes if isinstance(o, IntegrityError)]
    assert len(created) == 1 and len(refused) == RUNS - 1
