"""The life of a work: transitions and progress rules (works.status), property-tested."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from works.status import FINAL, NOT_STARTED, TRANSITIONS, WorkStatus, can_move, check_update

S = WorkStatus
statuses = st.sampled_from(list(S.values))
percent = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)
reasons = st.sampled_from(["", "  ", "Corrección: la cifra anterior estaba mal."])


def problems(
    current, new, *, physical=Decimal(0), financial=Decimal(0), old_p=0, old_f=0, reason=""
):
    return check_update(
        current_status=current,
        current_physical=Decimal(old_p),
        current_financial=Decimal(old_f),
        status=new,
        physical=Decimal(physical),
        financial=Decimal(financial),
        reason=reason,
    )


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (S.PLANNED, S.PROCUREMENT),
        (S.PLANNED, S.UNDER_WAY),  # administración directa
        (S.PROCUREMENT, S.PLANNED),  # proceso desierto
        (S.PROCUREMENT, S.UNDER_WAY),
        (S.UNDER_WAY, S.SUSPENDED),
        (S.SUSPENDED, S.UNDER_WAY),
        (S.UNDER_WAY, S.CANCELLED),
    ],
)
def test_the_transitions_that_make_sense_are_allowed(current, new):
    assert can_move(current, new)


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (S.PLANNED, S.FINISHED),
        (S.PLANNED, S.SUSPENDED),
        (S.PROCUREMENT, S.FINISHED),
        (S.SUSPENDED, S.FINISHED),
        (S.FINISHED, S.UNDER_WAY),
        (S.CANCELLED, S.PLANNED),
        (S.FINISHED, S.CANCELLED),
    ],
)
def test_impossible_transitions_are_refused_with_a_status_message(current, new):
    assert not can_move(current, new)
    found = problems(current, new, physical=100 if new == S.FINISHED else 0)
    assert [p.field for p in found] == ["status"]


def test_finished_needs_full_physical_progress_and_not_started_needs_none():
    assert [p.field for p in problems(S.UNDER_WAY, S.FINISHED, physical=99)] == [
        "physical_progress"
    ]
    assert problems(S.UNDER_WAY, S.FINISHED, physical=100) == []
    assert [p.field for p in problems(S.PLANNED, S.PROCUREMENT, physical=5)] == [
        "physical_progress"
    ]


def test_progress_down_needs_a_reason():
    down = problems(S.UNDER_WAY, S.UNDER_WAY, physical=30, financial=30, old_p=40, old_f=50)
    assert {p.field for p in down} == {"physical_progress", "financial_progress"}
    assert (
        problems(
            S.UNDER_WAY,
            S.UNDER_WAY,
            physical=30,
            financial=30,
            old_p=40,
            old_f=50,
            reason="Se corrigió la medición de la fiscalización.",
        )
        == []
    )


def test_unknown_status_and_out_of_range_progress_are_problems_not_crashes():
    assert [p.field for p in problems(S.PLANNED, "terminadisima")] == ["status"]
    assert {p.field for p in problems(S.UNDER_WAY, S.UNDER_WAY, physical=101)} == {
        "physical_progress"
    }
    assert {p.field for p in problems(S.UNDER_WAY, S.UNDER_WAY, financial=-1)} == {
        "financial_progress"
    }


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(statuses, percent, percent, reasons), max_size=12))
def test_any_sequence_of_accepted_updates_keeps_every_invariant(steps):
    """Apply only the updates check_update accepts: the resulting history never leaves a
    final status, only follows TRANSITIONS, and never lowers progress without a reason."""
    status, physical, financial = S.PLANNED, Decimal(0), Decimal(0)
    for new, new_physical, new_financial, reason in steps:
        found = check_update(
            current_status=status,
            current_physical=physical,
            current_financial=financial,
            status=new,
            physical=new_physical,
            financial=new_financial,
            reason=reason,
        )
        if found:
            continue
        assert new == status or new in TRANSITIONS[status]
        assert status not in FINAL or new == status
        if new in NOT_STARTED:
            assert new_physical == 0
        if new == S.FINISHED:
            assert new_physical == 100
        if not reason.strip():
            assert new_physical >= physical and new_financial >= financial
        status, physical, financial = new, new_physical, new_financial


@given(statuses, statuses)
def test_can_move_agrees_with_the_table(current, new):
    assert can_move(current, new) == (current == new or new in TRANSITIONS[current])
