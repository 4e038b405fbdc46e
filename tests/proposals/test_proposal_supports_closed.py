"""A request takes supports only while its status is in `services.SUPPORTABLE`: once it is
not viable, prioritised or not selected it refuses them, through the service and through
the detail page's button, even while the cycle's supports are still open for the others."""

import pytest

from proposals import services
from proposals.models import Request, Support
from quitodecide.errors import DomainError
from tests.budgets.builders import make_cycle, make_request, make_resident

pytestmark = pytest.mark.django_db

CLOSED = sorted(set(Request.Status) - services.SUPPORTABLE)


def test_the_closed_statuses_are_the_ones_after_a_decision():
    assert set(CLOSED) == {
        Request.Status.NOT_VIABLE,
        Request.Status.PRIORITISED,
        Request.Status.NOT_SELECTED,
    }


def request_in(status, phase="prefeasibility"):
    """A request of a cycle whose supports are open (requests or pre-feasibility phase)."""
    cycle = make_cycle("calderon", phase=phase)
    item = make_request(cycle, viable=None)
    Request.objects.filter(pk=item.pk).update(status=status)
    item.refresh_from_db()
    assert cycle.proposals_open_for("support")
    return cycle, item


def support_url(cycle, item):
    return cycle.url + cycle.reverse_subpage("request_support", args=[item.pk])


@pytest.mark.parametrize("phase", ["requests", "prefeasibility"])
@pytest.mark.parametrize("status", CLOSED)
def test_the_service_refuses_a_support(status, phase):
    _cycle, item = request_in(status, phase)
    with pytest.raises(DomainError):
        services.request_support(request=item, user=make_resident("calderon"))
    assert not Support.objects.filter(request=item).exists()


@pytest.mark.parametrize("status", CLOSED)
def test_the_detail_page_refuses_a_support(client, status):
    cycle, item = request_in(status)
    client.force_login(make_resident("calderon"))
    detail = cycle.url + cycle.reverse_subpage("request_detail", args=[item.pk])
    assert support_url(cycle, item) not in client.get(detail).content.decode()  # no button

    response = client.post(support_url(cycle, item), {"action": "support"})
    assert response.status_code == 302
    assert not Support.objects.filter(request=item).exists()
    shown = client.get(response["Location"]).content.decode()
    assert "Esta solicitud ya no recibe apoyos." in shown


@pytest.mark.parametrize("status", sorted(services.SUPPORTABLE))
def test_open_requests_take_the_same_support(client, status):
    cycle, item = request_in(status)
    client.force_login(make_resident("calderon"))
    detail = cycle.url + cycle.reverse_subpage("request_detail", args=[item.pk])
    assert support_url(cycle, item) in client.get(detail).content.decode()  # the button
    response = client.post(support_url(cycle, item), {"action": "support"})
    assert response.status_code == 302
    assert Support.objects.filter(request=item).count() == 1


def detail_url(cycle, item):
    return cycle.url + cycle.reverse_subpage("request_detail", args=[item.pk])


def test_a_visitor_who_cannot_support_is_told_why_and_the_way_on(client):
    """No silent dead end: logged out, the page offers to log in and come back to the
    support button; an unverified resident is sent to how to get verified."""
    cycle, item = request_in(Request.Status.SUBMITTED, phase="requests")
    html = client.get(detail_url(cycle, item)).content.decode()
    assert 'data-refusal="login"' in html
    assert "/cuenta/login/?next=" in html and "%23apoyar" in html
    client.force_login(make_resident("calderon", verified=False))
    html = client.get(detail_url(cycle, item)).content.decode()
    assert 'data-refusal="verification"' in html
    assert "/cuenta/perfil/#verificacion" in html
    client.force_login(make_resident("calderon"))
    html = client.get(detail_url(cycle, item)).content.decode()
    assert "support-refusal" not in html and 'value="support"' in html
