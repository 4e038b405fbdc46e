"""Staff who set up TOTP but logged in this session with the password only are sent to
confirm the code (/cuenta/2fa/reauthenticate/, `next` kept) by every budget staff page, and
their POSTs write nothing. The same POSTs after the code was typed do write, so the forms
below are valid and only the gate stands in the way."""

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry

from budgets import services
from budgets.models import AssemblyTally, ParishEnvelope, ResultSet
from territory.models import Parish
from tests.budgets.builders import make_cycle, make_request, make_staff, mfa_login, parish

pytestmark = pytest.mark.django_db


def url(cycle, name):
    return cycle.url + cycle.reverse_subpage(name)


def password_only_login(client, user):
    """TOTP set up, but no MFA step in this session's authentication records."""
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(user)
    assert not any(
        record.get("method") == "mfa"
        for record in client.session.get("account_authentication_methods", [])
    )


def assert_sent_to_reauthenticate(response, path):
    assert response.status_code == 302, response.status_code
    location = urlsplit(response["Location"])
    assert location.path == reverse("mfa_reauthenticate") == "/cuenta/2fa/reauthenticate/"
    assert parse_qs(location.query)["next"] == [path]


def audit_entries() -> int:
    return PageLogEntry.objects.count() + ModelLogEntry.objects.count()


def envelopes_case():
    cycle = make_cycle("calderon", total=Decimal("1000.00"), phase="requests")
    parishes = list(Parish.objects.filter(zone=cycle.zone).order_by("name"))
    amounts = {p: Decimal("0.00") for p in parishes}
    amounts[parishes[0]] = Decimal("1000.00")
    services.envelopes_set(cycle=cycle, amounts=amounts, actor=make_staff("calderon"))
    before = list(ParishEnvelope.objects.filter(cycle=cycle).values_list("parish_id", "amount"))

    def written():
        now = list(ParishEnvelope.objects.filter(cycle=cycle).values_list("parish_id", "amount"))
        return now != before

    return cycle, "envelopes", lambda: {"action": "clear", "confirm": "1"}, written


def tallies_case():
    cycle = make_cycle("calderon", total=Decimal("40000.00"), phase="prioritisation")
    project = make_request(cycle, title="Casa comunal", cost=Decimal("15000.00"))

    def data():  # a fresh upload for each POST
        return {
            "parroquia": parish("calderon").pk,
            "held_on": timezone.localdate().isoformat(),
            "attendees": 40,
            f"votes_{project.pk}": 12,
            "acta": SimpleUploadedFile("acta.pdf", b"%PDF-1.4 acta\n%%EOF\n", "application/pdf"),
        }

    return cycle, "tallies", data, lambda: AssemblyTally.objects.filter(cycle=cycle).exists()


def results_case():
    cycle = make_cycle("calderon", total=Decimal("40000.00"), phase="results")
    make_request(cycle, title="Casa comunal", cost=Decimal("15000.00"))
    confirmed = {"confirm": "1"}  # publishing asks first; this POST is the confirmed one
    return (
        cycle,
        "results_compute",
        confirmed.copy,
        lambda: ResultSet.objects.filter(cycle=cycle).exists(),
    )


CASES = {"envelopes": envelopes_case, "tallies": tallies_case, "results": results_case}


@pytest.mark.parametrize("case", CASES)
def test_password_only_session_is_sent_to_confirm_the_code_and_writes_nothing(client, case):
    cycle, name, data, written = CASES[case]()
    path = url(cycle, name)
    staff = make_staff("calderon")
    password_only_login(client, staff)
    audit_before = audit_entries()

    if name != "results_compute":  # a POST-only action
        assert_sent_to_reauthenticate(client.get(path), path)
    assert_sent_to_reauthenticate(client.post(path, data()), path)
    assert not written()
    assert audit_entries() == audit_before

    # The same staff member, once the code was typed in this session, gets through.
    mfa_login(client, staff)
    response = client.post(path, data())
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path != reverse("mfa_reauthenticate")
    assert written()
