"""A commitment's progress is the share of its milestones fulfilled ("Cumplido" and
"Cumplido*" count, "Pendiente" does not), computed from the statuses."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opengov import progress, selectors
from opengov.demo import load_opengov
from opengov.models import FULFILLED_STATUSES, Milestone, MilestoneStatus
from tests.opengov.builders import make_commitment, make_plan

S = MilestoneStatus


@pytest.mark.parametrize(
    ("statuses", "fulfilled", "percent"),
    [
        ([S.FULFILLED, S.FULFILLED_WITH_NOTE, S.PENDING, S.PENDING], 2, "50.0"),
        ([S.FULFILLED] * 6 + [S.PENDING], 6, "85.7"),
        ([S.FULFILLED, S.PENDING, S.PENDING], 1, "33.3"),
        ([S.FULFILLED, S.FULFILLED, S.PENDING], 2, "66.7"),
        ([S.PENDING], 0, "0.0"),
        ([], 0, "0.0"),
    ],
)
def test_share_of_milestones_fulfilled(statuses, fulfilled, percent):
    result = progress.of(statuses)
    assert (result.fulfilled, result.total) == (fulfilled, len(statuses))
    assert result.percent == Decimal(percent)


@given(st.lists(st.sampled_from(list(S))))
def test_progress_is_between_0_and_100_and_grows_with_each_fulfilment(statuses):
    result = progress.of(statuses)
    assert Decimal(0) <= result.percent <= Decimal(100)
    if S.PENDING in statuses:
        better = list(statuses)
        better[better.index(S.PENDING)] = S.FULFILLED
        assert progress.of(better).percent > result.percent


def test_the_models_fulfilled_statuses_are_the_progress_ones():
    assert {S.FULFILLED, S.FULFILLED_WITH_NOTE} == FULFILLED_STATUSES


@pytest.mark.django_db
def test_the_second_plans_progress_per_commitment():
    load_opengov()
    plan = selectors.plan_by_slug("paga-2")
    percents = [selectors.commitment_progress(c).percent for c in plan.commitments.all()]
    assert percents == [Decimal(p) for p in ("100.0", "75.0", "80.0", "100.0", "85.7")]
    assert selectors.plan_progress(plan).percent == Decimal("86.4")  # 19 of 22


@pytest.mark.django_db
def test_progress_follows_a_status_change():
    commitment = make_commitment(make_plan(), statuses=[S.FULFILLED, S.PENDING])
    assert commitment.progress().percent == Decimal("50.0")
    Milestone.objects.filter(commitment=commitment, status=S.PENDING).update(status=S.FULFILLED)
    assert commitment.progress().percent == Decimal("100.0")
