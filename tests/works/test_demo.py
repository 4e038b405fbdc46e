"""The demo works: about sixty works in every zone and status, built through the services
with dated history, photos, committees, observations and the works of the demo budget
results; loading them twice changes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from PIL import Image

from accounts.selectors import is_verified_resident_of
from budgets.models import BudgetCyclePage, ResultLine
from discussions.models import Comment
from territory.models import Zone
from works import veeduria
from works.demo import CODE_PREFIX, load_demo_works
from works.models import (
    CommitteeMember,
    Observation,
    Work,
    WorkPhoto,
    WorkSource,
    WorkUpdate,
)
from works.ruc import validate_ruc
from works.status import WorkStatus

pytestmark = pytest.mark.django_db


def _snapshot():
    """Everything the loader writes, to compare before and after a second load."""
    return {
        "works": sorted(
            Work.objects.values_list(
                "code", "status", "physical_progress", "amount_executed", "last_update_on"
            )
        ),
        "updates": WorkUpdate.objects.count(),
        "photos": WorkPhoto.objects.count(),
        "observations": Observation.objects.count(),
        "comments": Comment.objects.count(),
        "committee": CommitteeMember.objects.count(),
        "users": get_user_model().objects.count(),
    }


def _check_history(work, today):
    updates = list(work.updates.order_by("pk"))
    dates = [update.date for update in updates]
    assert dates == sorted(dates), work.code
    assert dates[-1] == work.last_update_on <= today, work.code
    assert dates[0] >= today - datetime.timedelta(days=560), work.code
    assert updates[-1].status == work.status, work.code
    assert [u.from_status for u in updates[1:]] == [u.status for u in updates[:-1]], work.code
    started = [u.date for u in updates if u.status == WorkStatus.UNDER_WAY]
    assert work.actual_start == (started[0] if started else None), work.code
    if work.status == WorkStatus.FINISHED:
        assert work.actual_end == work.last_update_on, work.code
        assert work.physical_progress == 100
    else:
        assert work.actual_end is None, work.code


def _check_money(work):
    assert work.amount_executed <= work.amount_assigned, work.code
    if work.amount_contracted is not None:
        assert work.amount_contracted <= work.amount_assigned, work.code
        expected = work.amount_contracted * work.financial_progress / 100
        assert work.amount_executed == expected.quantize(Decimal("0.01")), work.code
    if work.status in (WorkStatus.PLANNED, WorkStatus.PROCUREMENT):
        assert work.physical_progress == 0 and work.amount_executed == 0, work.code


def test_demo_works_cover_the_zones_statuses_and_history_and_load_once():
    call_command("load_demo_budgets", verbosity=0)
    summary = load_demo_works()
    today = timezone.localdate()

    assert summary["created"] is True
    works = list(Work.objects.select_related("zone", "parish", "request"))
    assert 55 <= len(works) <= 65
    assert summary["works"] == len(works)
    assert {w.zone.slug for w in works} == set(Zone.objects.values_list("slug", flat=True))
    assert {w.status for w in works} == set(WorkStatus.values)

    # Works of the published demo results: one per selected request, linked to it.
    cycles = BudgetCyclePage.objects.filter(year=2026)
    selected = ResultLine.objects.filter(result__cycle__in=cycles, selected=True)
    from_results = [w for w in works if w.request_id]
    assert len(from_results) == selected.count() > 0
    assert {w.request_id for w in from_results} == set(
        selected.values_list("request_id", flat=True)
    )
    for work in from_results:
        assert work.source == WorkSource.BUDGET
        assert work.cycle_id == work.request.cycle_id
        assert work.updates.first().origin == WorkUpdate.Origin.RESULTS
    assert any(w.updates.count() > 1 for w in from_results)

    municipal = [w for w in works if w.code.startswith(CODE_PREFIX)]
    assert len(municipal) + len(from_results) == len(works)
    assert {w.year for w in municipal} <= {today.year - 2, today.year - 1, today.year}
    for work in works:
        _check_history(work, today)
        _check_money(work)
        assert work.has_location, work.code
        if work.zone.slug == "la-mariscal":
            assert work.parish is None, work.code  # the zone holds no whole parish
        elif work.parish.lat is not None:
            assert abs(work.latitude - work.parish.lat) < Decimal("0.02"), work.code
        assert work.planned_start <= work.planned_end, work.code
        if work.contractor_ruc:
            assert validate_ruc(work.contractor_ruc) == work.contractor_ruc
            assert work.contract_number and work.amount_contracted
        if work.status in (WorkStatus.UNDER_WAY, WorkStatus.SUSPENDED, WorkStatus.FINISHED):
            assert work.physical_progress > 0, work.code
    assert sum(1 for w in municipal if w.contractor_ruc) >= 20
    # History spread over the last year and a half, not bunched on the loading day.
    first_dates = {w.updates.order_by("pk").first().date for w in municipal}
    assert min(first_dates) <= today - datetime.timedelta(days=365)
    assert len(first_dates) > 30

    photos = list(WorkPhoto.objects.all())
    assert len(photos) >= 30
    for photo in photos:
        assert photo.alt_text
        with photo.image.open("rb") as handle:
            assert handle.size < 100_000
            with Image.open(handle) as image:
                assert image.format == "JPEG"
                assert image.size == (photo.width, photo.height)

    members = list(CommitteeMember.objects.all())
    assert {m.consents_to_publish_name for m in members} == {True, False}
    for member in members:
        assert member.phone.startswith("09") and len(member.phone) == 10
        assert member.email.endswith("@example.org")

    observations = list(Observation.objects.select_related("work__zone", "comment__author"))
    assert len(observations) >= 20
    for observation in observations:
        assert is_verified_resident_of(observation.comment.author, observation.work.zone)
        assert observation.created_at <= timezone.now()
    alerts = veeduria.alerts_for(works)
    assert any(
        alert.status == WorkStatus.UNDER_WAY and alert.assessment == "detenida"
        for alert in alerts.values()
    )
    assert len(alerts) < 5  # the ordinary observations match the works' status

    before = _snapshot()
    again = load_demo_works()
    assert again["created"] is False
    call_command("load_demo_works", verbosity=0)
    assert _snapshot() == before
