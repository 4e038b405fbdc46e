"""The verdict page asks staff who set up TOTP, but logged in this session with the password
only, to confirm the code (/cuenta/2fa/reauthenticate/, `next` kept); their POST records no
verdict. After the code, the same POST records it."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from proposals.models import Request, Verdict
from tests.budgets.builders import make_cycle, make_request, make_resident, make_staff, mfa_login
from tests.budgets.test_budget_mfa_gate import assert_sent_to_reauthenticate, password_only_login

pytestmark = pytest.mark.django_db


def test_verdict_needs_the_code_in_this_session_and_records_nothing_without_it(client):
    cycle = make_cycle("calderon", phase="prefeasibility")
    item = make_request(cycle, viable=None, author=make_resident("calderon"))
    path = cycle.url + cycle.reverse_subpage("request_verdict", args=[item.pk])
    data = {"viable": "1", "technical_cost": "9000"}
    staff = make_staff("calderon")
    password_only_login(client, staff)

    assert_sent_to_reauthenticate(client.get(path), path)
    assert_sent_to_reauthenticate(client.post(path, data), path)
    assert not Verdict.objects.filter(request=item).exists()
    assert Request.objects.get(pk=item.pk).status == item.status

    mfa_login(client, staff)
    response = client.post(path, data)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path != reverse("mfa_reauthenticate")
    assert "next" not in parse_qs(location.query)
    assert Verdict.objects.filter(request=item, viable=True).exists()
