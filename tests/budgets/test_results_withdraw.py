"""Voting never reopens beside published results: withdrawing them is an explicit,
confirmed, audited staff action, and the admin refuses phase dates that would reopen voting
while results are out."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry

from budgets import audit, services
from budgets.models import BudgetCyclePage, ResultSet
from proposals.models import Request, StatusChange
from quitodecide import rulebook
from quitodecide.errors import DomainError, PermissionDenied
from tests.budgets.builders import (
    make_cycle,
    make_request,
    make_resident,
    make_staff,
    set_phase,
)
from tests.factories import login_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(territory):
    """A cycle whose results were published (one online ballot), now in the results phase."""
    cycle = make_cycle("calderon", phase="prioritisation")
    a = make_request(cycle, title="Parque")
    b = make_request(cycle, title="Vereda")
    voter = make_resident("calderon")
    services.ballot_submit(cycle=cycle, user=voter, request_ids=[a.pk])
    cycle = set_phase(cycle, "results")
    staff = make_staff("calderon")
    services.results_publish(cycle=cycle, actor=staff)
    return cycle, staff, voter, (a, b)


def test_voting_stays_closed_while_results_are_published_even_if_the_phase_reopens(published):
    cycle, _staff, voter, (a, _b) = published
    reopened = set_phase(cycle, "prioritisation")
    assert reopened.is_open("prioritisation")
    assert not rulebook.allowed(voter, "budgets.vote", reopened)
    with pytest.raises(PermissionDenied):
        services.ballot_submit(cycle=reopened, user=voter, request_ids=[a.pk])


def test_withdrawing_needs_confirmation_and_a_reason(published):
    cycle, staff, _voter, _requests = published
    with pytest.raises(DomainError, match="onfirm"):
        services.results_withdraw(cycle=cycle, actor=staff, confirm=False, reason="Error")
    with pytest.raises(DomainError):
        services.results_withdraw(cycle=cycle, actor=staff, confirm=True, reason="   ")
    assert ResultSet.objects.filter(cycle=cycle).exists()


def test_withdrawing_is_staff_of_the_zone_with_mfa_only(published):
    cycle, _staff, voter, _requests = published
    other = make_staff("tumbaco")
    for actor in (voter, other):
        with pytest.raises(PermissionDenied):
            services.results_withdraw(cycle=cycle, actor=actor, confirm=True, reason="x")
    no_mfa = make_staff("calderon")
    from quitodecide.mfa import mark_user

    mark_user(no_mfa, False)
    with pytest.raises(PermissionDenied):
        services.results_withdraw(cycle=cycle, actor=no_mfa, confirm=True, reason="x")
    assert ResultSet.objects.filter(cycle=cycle).exists()


def test_withdrawing_takes_results_down_restores_requests_and_audits(published):
    cycle, staff, voter, (a, b) = published
    assert dict(Request.objects.filter(cycle=cycle).values_list("pk", "status")) == {
        a.pk: "prioritised",
        b.pk: "not_selected",
    }
    services.results_withdraw(
        cycle=cycle, actor=staff, confirm=True, reason="Faltaba el acta de Llano Chico"
    )
    assert not ResultSet.objects.filter(cycle=cycle).exists()
    assert set(Request.objects.filter(cycle=cycle).values_list("status", flat=True)) == {"viable"}
    assert StatusChange.objects.filter(
        request=a, to_status="viable", note__contains="Faltaba el acta"
    ).exists()
    entry = PageLogEntry.objects.get(page=cycle, action=audit.RESULTS_WITHDRAW)
    assert entry.user_id == staff.pk
    assert entry.data["selected"] == [a.pk]
    assert entry.data["reason"] == "Faltaba el acta de Llano Chico"
    assert not ModelLogEntry.objects.filter(action=audit.RESULTS_WITHDRAW).exists()
    # Now, and only now, moving prioritisation reopens voting.
    reopened = set_phase(cycle, "prioritisation")
    assert rulebook.allowed(voter, "budgets.vote", reopened)


def test_the_results_page_withdraws_only_with_the_confirmation(client, published):
    cycle, staff, _voter, _requests = published
    login_with_mfa(client, staff)
    url = cycle.url + cycle.reverse_subpage("results_withdraw")
    page = client.get(cycle.url + cycle.reverse_subpage("results")).content.decode()
    assert 'action="' + url + '"' in page
    client.post(url, {"reason": "Error de cálculo"})
    assert ResultSet.objects.filter(cycle=cycle).exists()
    response = client.post(url, {"reason": "Error de cálculo", "confirm": "1"})
    assert response.status_code == 302
    assert not ResultSet.objects.filter(cycle=cycle).exists()


def test_the_admin_refuses_phase_dates_that_reopen_voting_beside_results(published):
    cycle, staff, _voter, _requests = published
    cycle = BudgetCyclePage.objects.get(pk=cycle.pk)
    form_class = BudgetCyclePage.get_edit_handler().get_form_class()
    phases = list(cycle.phases.all().order_by("sort_order", "pk"))
    today = timezone.localdate()

    def data(prioritisation_end):
        values = {
            "title": cycle.title,
            "slug": cycle.slug,
            "year": cycle.year,
            "total_amount": cycle.total_amount,
            "investment_share": cycle.investment_share,
            "intro": '{"blocks": [], "entityMap": {}}',
            "ballot_rule": cycle.ballot_rule,
            "max_choices": cycle.max_choices or "",
            "phases-TOTAL_FORMS": len(phases),
            "phases-INITIAL_FORMS": len(phases),
            "phases-MIN_NUM_FORMS": 0,
            "phases-MAX_NUM_FORMS": 1000,
        }
        for index, phase in enumerate(phases):
            end = prioritisation_end if phase.kind == "prioritisation" else phase.ends_on
            values |= {
                f"phases-{index}-id": phase.pk,
                f"phases-{index}-kind": phase.kind,
                f"phases-{index}-starts_on": phase.starts_on,
                f"phases-{index}-ends_on": end,
                f"phases-{index}-ORDER": index,
            }
        return values

    def form(prioritisation_end):
        return form_class(
            data(prioritisation_end),
            instance=cycle,
            parent_page=cycle.get_parent(),
            for_user=staff,
        )

    prioritisation = next(p for p in phases if p.kind == "prioritisation")
    unchanged = form(prioritisation.ends_on)
    assert unchanged.is_valid(), unchanged.errors
    reopening = form(today + datetime.timedelta(days=3))
    assert not reopening.is_valid()
    assert "resultados publicados" in str(reopening.non_field_errors())


def test_a_nul_byte_in_the_reason_is_a_clear_400_and_withdraws_nothing(client, published):
    """PostgreSQL cannot store NUL: the request is refused before any view or service runs
    (quitodecide.middleware.RefuseNulMiddleware), with the reason, on every database."""
    cycle, staff, _voter, _requests = published
    login_with_mfa(client, staff)
    url = cycle.url + cycle.reverse_subpage("results_withdraw")
    response = client.post(url, {"reason": "Error\x00de cálculo", "confirm": "1"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert ResultSet.objects.filter(cycle=cycle).exists()
