"""Envelopes computed with the 2020 weights add up to the total exactly, to the cent."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from budgets.allocation import (
    ParishFigures,
    compute_envelopes,
    largest_remainder,
    weighted_shares,
)

figure_values = st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False)
totals = st.decimals(min_value=0, max_value=100_000_000, places=2, allow_nan=False)


@st.composite
def parish_figures(draw):
    count = draw(st.integers(min_value=1, max_value=30))
    return [
        ParishFigures(
            key=f"1701{index:02d}",
            population=draw(figure_values),
            unmet_needs=draw(figure_values),
            density=draw(figure_values),
            infrastructure_needs=draw(figure_values),
        )
        for index in range(count)
    ]


@settings(max_examples=200, deadline=None)
@given(total=totals, figures=parish_figures())
def test_envelopes_add_up_to_the_total_to_the_cent(total, figures):
    envelopes = compute_envelopes(total, figures)
    assert set(envelopes) == {figure.key for figure in figures}
    assert sum(envelopes.values(), Decimal("0")) == total
    assert all(
        amount >= 0 and amount == amount.quantize(Decimal("0.01")) for amount in envelopes.values()
    )


@settings(max_examples=200, deadline=None)
@given(total=totals, figures=parish_figures())
def test_each_envelope_is_within_a_cent_of_its_exact_share(total, figures):
    shares = weighted_shares(figures)
    assert sum(shares.values()) == 1
    envelopes = compute_envelopes(total, figures)
    for key, amount in envelopes.items():
        exact = Fraction(total) * shares[key]
        assert abs(Fraction(amount) - exact) < Fraction(1, 100)


@settings(max_examples=100, deadline=None)
@given(total=totals, figures=parish_figures())
def test_the_same_figures_always_give_the_same_envelopes(total, figures):
    assert compute_envelopes(total, figures) == compute_envelopes(total, list(reversed(figures)))


def test_weights_of_2020_worked_example():
    # Two parishes: A has all the population and density, B all the unmet and infra needs.
    figures = [
        ParishFigures("A", Decimal(100), Decimal(0), Decimal(50), Decimal(0)),
        ParishFigures("B", Decimal(0), Decimal(40), Decimal(0), Decimal(7)),
    ]
    envelopes = compute_envelopes(Decimal("1000000.00"), figures)
    assert envelopes == {"A": Decimal("600000.00"), "B": Decimal("400000.00")}


def test_a_criterion_that_is_zero_everywhere_passes_its_weight_to_the_others():
    figures = [
        ParishFigures("A", Decimal(3), Decimal(0), Decimal(0), Decimal(0)),
        ParishFigures("B", Decimal(1), Decimal(0), Decimal(0), Decimal(0)),
    ]
    assert compute_envelopes(Decimal("100.00"), figures) == {
        "A": Decimal("75.00"),
        "B": Decimal("25.00"),
    }


def test_leftover_cents_go_to_the_largest_remainders_then_the_smaller_key():
    thirds = {"a": Fraction(1, 3), "b": Fraction(1, 3), "c": Fraction(1, 3)}
    assert largest_remainder(100, thirds) == {"a": 34, "b": 33, "c": 33}
    assert largest_remainder(200, thirds) == {"a": 67, "b": 67, "c": 66}


def test_rejects_fractions_of_a_cent_and_negative_figures():
    with pytest.raises(ValueError):
        compute_envelopes(Decimal("1.005"), [ParishFigures("A", 1, 1, 1, 1)])
    with pytest.raises(ValueError):
        compute_envelopes(Decimal("1.00"), [ParishFigures("A", -1, 1, 1, 1)])
