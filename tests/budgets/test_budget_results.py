"""The pure results function: envelope never exceeded, skips explained, deterministic."""

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgets.results import (
    BELOW_MINIMUM,
    DID_NOT_FIT,
    SELECTED,
    Candidate,
    rank,
    select_winners,
)

costs = st.decimals(min_value=0, max_value=500_000, places=2, allow_nan=False)


@st.composite
def ballots(draw):
    count = draw(st.integers(min_value=0, max_value=25))
    orders = draw(
        st.lists(
            st.integers(min_value=0, max_value=10_000), min_size=count, max_size=count, unique=True
        )
    )
    candidates = [
        Candidate(
            key=index,
            cost=draw(costs),
            votes=draw(st.integers(min_value=0, max_value=60)),
            order=orders[index],
        )
        for index in range(count)
    ]
    envelope = draw(st.decimals(min_value=0, max_value=2_000_000, places=2, allow_nan=False))
    return candidates, envelope


@settings(max_examples=300, deadline=None)
@given(ballots())
def test_total_never_exceeds_the_envelope(ballot):
    candidates, envelope = ballot
    outcomes = select_winners(candidates, envelope)
    assert sum((o.cost for o in outcomes if o.selected), Decimal(0)) <= envelope


@settings(max_examples=300, deadline=None)
@given(ballots())
def test_every_skipped_project_did_not_fit_or_ranked_lower(ballot):
    candidates, envelope = ballot
    outcomes = select_winners(candidates, envelope)
    spent_before = Decimal(0)
    for outcome in outcomes:  # in rank order
        assert outcome.remaining_before == envelope - spent_before
        if outcome.selected:
            assert outcome.reason == SELECTED
            assert outcome.cost <= outcome.remaining_before
            spent_before += outcome.cost
        elif outcome.reason == DID_NOT_FIT:
            # It did not fit in what the higher-ranked selected projects left...
            assert outcome.cost > outcome.remaining_before
        else:
            # ...or it had no votes, and so ranked below every project with votes.
            assert outcome.reason == BELOW_MINIMUM and outcome.votes == 0
            assert all(o.votes == 0 for o in outcomes if o.rank > outcome.rank)
    leftover = envelope - spent_before
    # Hence no skipped project with votes would fit even in what is left at the end.
    assert all(o.cost > leftover for o in outcomes if o.reason == DID_NOT_FIT)
    # Ranks are 1..n and follow the votes.
    assert [o.rank for o in outcomes] == list(range(1, len(outcomes) + 1))
    assert [o.votes for o in outcomes] == sorted((o.votes for o in outcomes), reverse=True)


@settings(max_examples=200, deadline=None)
@given(ballots(), st.randoms(use_true_random=False))
def test_same_input_same_result_whatever_the_order(ballot, rnd):
    candidates, envelope = ballot
    shuffled = list(candidates)
    rnd.shuffle(shuffled)
    assert select_winners(candidates, envelope) == select_winners(shuffled, envelope)


def test_ties_go_to_the_cheaper_project_then_the_earlier_request():
    candidates = [
        Candidate(key="late", cost=Decimal(100), votes=5, order=9),
        Candidate(key="early", cost=Decimal(100), votes=5, order=1),
        Candidate(key="cheap", cost=Decimal(50), votes=5, order=5),
        Candidate(key="popular", cost=Decimal(900), votes=8, order=7),
    ]
    assert [c.key for c in rank(candidates)] == ["popular", "cheap", "early", "late"]


def test_a_project_that_does_not_fit_is_skipped_and_the_next_tried():
    candidates = [
        Candidate(key="a", cost=Decimal("600.00"), votes=10, order=1),
        Candidate(key="b", cost=Decimal("500.00"), votes=9, order=2),
        Candidate(key="c", cost=Decimal("400.00"), votes=8, order=3),
        Candidate(key="d", cost=Decimal("1.00"), votes=0, order=4),
    ]
    outcomes = {o.key: o for o in select_winners(candidates, Decimal("1000.00"))}
    assert outcomes["a"].selected and outcomes["c"].selected
    assert outcomes["b"].reason == DID_NOT_FIT
    assert outcomes["b"].remaining_before == Decimal("400.00")
    assert outcomes["d"].reason == BELOW_MINIMUM


def test_duplicate_orders_are_refused():
    same = [Candidate(key=k, cost=Decimal(1), votes=1, order=7) for k in ("a", "b")]
    with pytest.raises(ValueError, match="own order"):
        select_winners(same, Decimal(10))


def test_deterministic_on_a_large_random_input():
    generator = random.Random(2026)
    candidates = [
        Candidate(
            key=i,
            cost=Decimal(generator.randint(1, 10_000)),
            votes=generator.randint(0, 9),
            order=i,
        )
        for i in range(500)
    ]
    first = select_winners(candidates, Decimal("250000"))
    assert first == select_winners(list(reversed(candidates)), Decimal("250000"))
