"""Refusals that say the real reason and the way on (the rule book's `explain`, the 403
page), the 404, 500 and CSRF pages in the site layout, and the favicon.

Wording is compared with what the rule book says in the same language, so these tests hold
before and after the catalogue is translated."""

import html
import itertools

import pytest
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.test import Client, RequestFactory
from django.utils import translation
from django.views.defaults import server_error

from quitodecide import rulebook
from quitodecide.rulebook import RefusalKind
from quitodecide.views import permission_denied
from territory.models import ZonePage
from tests.budgets.builders import make_cycle, make_resident
from tests.factories import UserFactory
from tests.test_rulebook_matrix import BUILDERS, OTHER, OWN, TARGET_PHASES, make_role


def url(cycle, name, *args):
    return cycle.url + cycle.reverse_subpage(name, args=args or None)


def page_reason(response) -> str:
    content = response.content.decode()
    start = content.index('id="refusal-reason">') + len('id="refusal-reason">')
    return html.unescape(content[start : content.index("</p>", start)])


def expected(user, name, obj) -> str:
    with translation.override("es-ec"):
        return rulebook.explain(user, name, obj).reason


def in_layout(response) -> bool:
    content = response.content.decode()
    return 'class="site-header"' in content and 'class="site-footer"' in content


# --- "nueva solicitud" in a cycle not taking requests ------------------------------------


@pytest.mark.django_db
def test_a_cycle_not_taking_requests_says_so_not_that_the_zone_is_wrong(client, territory):
    cycle = make_cycle("calderon", phase="results")
    resident = make_resident("calderon")
    client.force_login(resident)
    response = client.get(url(cycle, "request_new"))
    assert response.status_code == 403
    assert in_layout(response)
    assert 'data-refusal="phase"' in response.content.decode()
    assert page_reason(response) == expected(resident, "proposals.submit", cycle)
    with translation.override("en"):
        reason = rulebook.explain(resident, "proposals.submit", cycle).reason
    assert "not taking requests" in reason and "closed on" in reason
    assert "zone" not in reason
    assert f'href="{cycle.url}"' in response.content.decode()


@pytest.mark.django_db
def test_logged_out_on_a_closed_cycle_hears_the_phase_not_log_in(client, territory):
    cycle = make_cycle("calderon", phase="results")
    response = client.get(url(cycle, "request_new"))
    assert response.status_code == 403
    assert 'data-refusal="phase"' in response.content.decode()


@pytest.mark.django_db
def test_logged_out_on_an_open_cycle_goes_to_log_in_and_back(client, territory):
    cycle = make_cycle("calderon", phase="requests")
    response = client.get(url(cycle, "request_new"))
    assert response.status_code == 302
    assert response["Location"] == "/cuenta/login/?" + "next=" + url(cycle, "request_new").replace(
        "/", "%2F"
    )


@pytest.mark.django_db
def test_a_resident_of_another_zone_is_told_so_with_the_zone_and_the_profile(client, territory):
    cycle = make_cycle("calderon", phase="requests")
    outsider = make_resident("tumbaco")
    client.force_login(outsider)
    response = client.get(url(cycle, "request_new"))
    assert response.status_code == 403
    content = response.content.decode()
    assert 'data-refusal="residency"' in content
    assert page_reason(response) == expected(outsider, "proposals.submit", cycle)
    assert f'href="{ZonePage.objects.get(zone__slug="calderon").url}"' in content
    assert 'href="/cuenta/perfil/"' in content
    with translation.override("en"):
        reason = rulebook.explain(outsider, "proposals.submit", cycle).reason
    assert "Calderón" in reason and "Tumbaco" in reason


@pytest.mark.django_db
def test_an_unverified_resident_is_told_how_to_get_verified(client, territory):
    cycle = make_cycle("calderon", phase="prioritisation")
    unverified = make_resident("calderon", verified=False)
    refusal = rulebook.explain(unverified, "budgets.vote", cycle)
    assert refusal.kind == RefusalKind.VERIFICATION
    response = permission_denied(
        _request(unverified), rulebook.PermissionDenied(refusal.reason, refusal=refusal)
    )
    content = response.content.decode()
    assert response.status_code == 403
    assert 'id="como-verificarse"' in content and "cédula" in content
    assert ZonePage.objects.get(zone__slug="calderon").url in content


def _request(user, path="/presupuestos/"):
    request = RequestFactory().get(path)
    request.user = user
    request.session = {}
    from django.contrib.messages.storage.fallback import FallbackStorage

    request._messages = FallbackStorage(request)
    return request


@pytest.mark.django_db
def test_a_staff_view_refuses_a_resident_with_the_staff_reason(client, territory):
    cycle = make_cycle("calderon", phase="requests")
    resident = make_resident("calderon")
    client.force_login(resident)
    response = client.get(url(cycle, "envelopes"))
    assert response.status_code == 403
    assert 'data-refusal="staff"' in response.content.decode()
    assert page_reason(response) == expected(resident, "budgets.manage_envelopes", cycle)


@pytest.mark.django_db
def test_a_bare_permission_denied_is_the_sites_page_not_403_forbidden(territory):
    response = permission_denied(_request(UserFactory()), HttpForbidden())
    content = response.content.decode()
    assert response.status_code == 403 and "403 Forbidden" not in content
    assert 'id="refusal-reason"' in content
    assert 'data-refusal="other"' in content


@pytest.mark.django_db
def test_a_domain_refusal_nobody_caught_is_a_403_with_its_message(territory):
    from quitodecide.errors import PermissionDenied

    error = PermissionDenied("Solo el personal de esta zona.")
    assert isinstance(error, HttpForbidden)
    response = permission_denied(_request(UserFactory()), error)
    assert response.status_code == 403
    assert "Solo el personal de esta zona." in response.content.decode()


# --- Every refusal has a specific explanation --------------------------------------------

SWEEP_ROLES = ("anonymous", "account", "resident", "verified", "staff_no_mfa", "staff")


def _sweep_cases():
    for name in sorted(rulebook.ACTIONS):
        action = rulebook.ACTIONS[name]
        for phase in sorted(TARGET_PHASES[action.target]):
            yield pytest.param(name, phase, id=f"{name}-{phase}")


@pytest.mark.parametrize(("name", "phase"), list(_sweep_cases()))
@pytest.mark.django_db
def test_every_refusal_of_the_matrix_is_explained(name, phase):
    """For every action and phase, every refused role (in the target's zone and in another)
    gets a specific reason, never the generic one; and where nobody may act in a phase, the
    reason for a verified resident or staff is about the target (or its parish), not them."""
    action = rulebook.ACTIONS[name]
    target = BUILDERS[action.target](phase, None)
    generic = []
    for role, zone in itertools.product(SWEEP_ROLES, (OWN, OTHER)):
        user = make_role(role, zone)
        if rulebook.allowed(user, name, target):
            continue
        refusal = rulebook.explain(user, name, target)
        assert refusal.reason
        if refusal.kind == RefusalKind.OTHER:
            generic.append(f"{role}@{zone}")
    assert not generic, f"{name} in {phase}: generic refusal for {generic}"
    if not action.rows[phase]:
        insider = make_role("staff" if action.staff else "verified", OWN)
        kind = rulebook.explain(insider, name, target).kind
        assert kind in {
            RefusalKind.PHASE,
            RefusalKind.RESIDENCY,
            RefusalKind.RESIDENCY_UNKNOWN,
            RefusalKind.AUTHOR,
        }, kind


# --- 404, 500, CSRF, favicon -------------------------------------------------------------


@pytest.mark.django_db
def test_404_is_in_the_layout_with_a_search(client, territory):
    response = client.get("/no-existe-esta-pagina/")
    assert response.status_code == 404
    assert in_layout(response)
    assert 'action="/buscar/"' in response.content.decode()


def test_500_renders_without_a_database_or_a_request_context():
    # No django_db mark: any query here raises. server_error renders with an empty context.
    response = server_error(RequestFactory().get("/"))
    content = response.content.decode()
    assert response.status_code == 500
    assert 'class="site-header"' in content and 'data-error="500"' in content
    assert '<html lang="es">' in content


@pytest.mark.django_db
def test_a_csrf_failure_is_the_sites_page(territory):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/cuenta/login/", {"login": "a@example.ec", "password": "x"})
    assert response.status_code == 403
    assert in_layout(response)
    content = response.content.decode()
    assert 'data-error="csrf"' in content and "Forbidden" not in content


def test_the_favicon_leads_to_the_svg(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("img/favicon.svg")
