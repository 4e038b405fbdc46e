"""Destructive budget staff actions ask first, without JavaScript: publishing results,
withdrawing them (the way voting reopens) and removing the parish envelopes. A POST
without confirm=1 writes nothing and answers a page that says what will happen, with a
form posting the same action again with confirm=1; only that second POST acts (and leaves
its audit entry). The rule and the MFA gate still come first."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from wagtail.models import ModelLogEntry, PageLogEntry

from budgets import audit, services
from budgets.models import ParishEnvelope, ResultSet
from proposals.models import Request
from territory.models import Parish
from tests.budgets.builders import (
    make_cycle,
    make_request,
    make_resident,
    make_staff,
    mfa_login,
    set_phase,
)

pytestmark = pytest.mark.django_db


def url(cycle, name):
    return cycle.url + cycle.reverse_subpage(name)


def audit_entries() -> int:
    return PageLogEntry.objects.count() + ModelLogEntry.objects.count()


def confirmation_form(html, action_url):
    """The confirmation page's form: where it posts and the fields it sends."""
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    assert form, "no confirmation form"
    assert form.group(1) == action_url
    hidden = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form.group(2)))
    hidden.pop("csrfmiddlewaretoken", None)
    return hidden


@pytest.fixture
def results_cycle(territory):
    cycle = make_cycle("calderon", total=Decimal("40000.00"), phase="prioritisation")
    chosen = make_request(cycle, title="Casa comunal", cost=Decimal("15000.00"))
    services.ballot_submit(cycle=cycle, user=make_resident("calderon"), request_ids=[chosen.pk])
    return set_phase(cycle, "results"), chosen


def test_publishing_results_asks_first_then_publishes(client, results_cycle):
    cycle, chosen = results_cycle
    mfa_login(client, make_staff("calderon"))
    before = audit_entries()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    response = client.post(url(cycle, "results_compute"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-confirm="results_compute"' in html
    assert "Assembly tallies entered: 0 of" in html  # what the results will be built from
    fields = confirmation_form(html, url(cycle, "results_compute"))
    assert fields == {"confirm": "1"}
    assert f'href="{url(cycle, "results")}"' in html  # the way back
    assert not ResultSet.objects.filter(cycle=cycle).exists()
    assert audit_entries() == before

    response = client.post(url(cycle, "results_compute"), fields)
    assert response.status_code == 302 and response["Location"] == url(cycle, "results")
    assert ResultSet.objects.filter(cycle=cycle).exists()
    chosen.refresh_from_db()
    assert chosen.status == Request.Status.PRIORITISED
    assert PageLogEntry.objects.filter(action=audit.RESULTS_PUBLISH).count() == 1


def test_publishing_again_says_it_replaces_the_published_results(client, results_cycle):
    cycle, _chosen = results_cycle
    staff = make_staff("calderon")
    services.results_publish(cycle=cycle, actor=staff)
    mfa_login(client, staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    html = client.post(url(cycle, "results_compute")).content.decode()
    assert "replace the ones published before" in html


def test_withdrawing_results_asks_first_keeps_the_reason_and_needs_one(client, results_cycle):
    cycle, chosen = results_cycle
    staff = make_staff("calderon")
    services.results_publish(cycle=cycle, actor=staff)
    mfa_login(client, staff)
    before = audit_entries()
    # The button alone (no confirmation): a page that explains, the reason carried over.
    response = client.post(url(cycle, "results_withdraw"), {"reason": "Acta tardía"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-confirm="results_withdraw"' in html
    assert confirmation_form(html, url(cycle, "results_withdraw")) == {"confirm": "1"}
    assert re.search(
        r'<textarea id="confirm-reason" name="reason"[^>]*>Acta tardía</textarea>', html
    )
    assert ResultSet.objects.filter(cycle=cycle).exists()
    assert audit_entries() == before

    # Confirmed without a reason: the same page again, with the error, nothing withdrawn.
    response = client.post(url(cycle, "results_withdraw"), {"confirm": "1", "reason": " "})
    assert response.status_code == 400
    assert 'id="confirm-error"' in response.content.decode()
    assert ResultSet.objects.filter(cycle=cycle).exists()

    response = client.post(url(cycle, "results_withdraw"), {"confirm": "1", "reason": "Acta"})
    assert response.status_code == 302
    assert not ResultSet.objects.filter(cycle=cycle).exists()
    chosen.refresh_from_db()
    assert chosen.status == Request.Status.VIABLE
    assert ModelLogEntry.objects.filter(action=audit.RESULTS_WITHDRAW).exists() or (
        PageLogEntry.objects.filter(action=audit.RESULTS_WITHDRAW).exists()
    )


def test_removing_the_envelopes_asks_first(client, territory):
    cycle = make_cycle("calderon", total=Decimal("1000.00"), phase="requests")
    parishes = list(Parish.objects.filter(zone=cycle.zone).order_by("name"))
    amounts = {p: Decimal("0.00") for p in parishes}
    amounts[parishes[0]] = Decimal("1000.00")
    staff = make_staff("calderon")
    services.envelopes_set(cycle=cycle, amounts=amounts, actor=staff)
    mfa_login(client, staff)
    response = client.post(url(cycle, "envelopes"), {"action": "clear"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-confirm="envelopes"' in html
    fields = confirmation_form(html, url(cycle, "envelopes"))
    assert fields == {"action": "clear", "confirm": "1"}
    assert ParishEnvelope.objects.filter(cycle=cycle).count() == len(parishes)

    assert client.post(url(cycle, "envelopes"), fields).status_code == 302
    assert not ParishEnvelope.objects.filter(cycle=cycle).exists()


@pytest.mark.parametrize("action", ["results_compute", "results_withdraw"])
def test_another_zones_staff_get_no_confirmation_page(client, results_cycle, action):
    cycle, _chosen = results_cycle
    services.results_publish(cycle=cycle, actor=make_staff("calderon"))
    mfa_login(client, make_staff("tumbaco"))
    response = client.post(url(cycle, action), {"reason": "x"})
    assert response.status_code == 403
    response = client.post(url(cycle, action), {"reason": "x", "confirm": "1"})
    assert response.status_code == 403
    assert ResultSet.objects.filter(cycle=cycle).exists()
