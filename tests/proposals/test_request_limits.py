"""Filing requests is rate-limited per account and per address, with a Spanish form error:
one resident filed ~30 requests in a few minutes before."""

import pytest

from proposals.models import Request
from tests.budgets.builders import make_cycle, make_resident, parish

pytestmark = pytest.mark.django_db

LIMITED = "Ha presentado varias solicitudes en poco tiempo"


def url(cycle):
    return cycle.url + cycle.reverse_subpage("request_new")


def form_data(n):
    return {
        "kind": "public_works",
        "title": f"Adoquinado de la calle {n}",
        "description": "Adoquinado de la calle principal del barrio, con aceras.",
        "parish": parish("calderon").pk,
        "barrio_name": "Marianitas",
        "estimated_cost": "12000.50",
        "organisation": "",
    }


def test_an_account_files_five_requests_an_hour(client):
    cycle = make_cycle("calderon")
    client.force_login(make_resident("calderon"))
    statuses = [client.post(url(cycle), form_data(n)).status_code for n in range(5)]
    assert statuses == [302] * 5
    response = client.post(url(cycle), form_data(5))
    assert response.status_code == 200
    assert LIMITED in response.content.decode()
    assert Request.objects.count() == 5
    # Form errors do not count: a resident who mistypes is not locked out sooner.
    other = make_resident("calderon")
    client.force_login(other)
    for _ in range(6):
        client.post(url(cycle), {**form_data(0), "estimated_cost": "no"})
    assert client.post(url(cycle), form_data(9)).status_code == 302


def test_twenty_requests_per_address(client):
    cycle = make_cycle("calderon")
    for account in range(4):
        client.force_login(make_resident("calderon"))
        for n in range(5):
            assert client.post(url(cycle), form_data(account * 5 + n)).status_code == 302
    client.force_login(make_resident("calderon"))
    response = client.post(url(cycle), form_data(99))
    assert response.status_code == 200 and LIMITED in response.content.decode()
    # Another address is not affected.
    response = client.post(url(cycle), form_data(100), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    assert Request.objects.count() == 21
