"""Participatory budgets end to end in Chromium: a resident files a request, staff find it
viable, the resident votes under the budget (knapsack) rule, staff publish the results and
the results page shows the outcome; axe checks the list, voting and results pages."""

import io
import re
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from PIL import Image
from playwright.sync_api import expect

from proposals.models import Request
from tests.budgets.builders import (
    make_cycle,
    make_request,
    make_resident,
    make_staff,
    mfa_login,
    set_phase,
)

pytestmark = pytest.mark.browser


def logged_in_context(new_context, site, user, *, mfa=False):
    """A browser context carrying a Django session for `user` (staff: with 2FA done)."""
    client = Client()
    if mfa:
        mfa_login(client, user)
    else:
        client.force_login(user)
    context = new_context()
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site.url}]
    )
    return context


def assert_accessible(page, label):
    violations = Axe().run(page).response["violations"]
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"axe on {label}: " + "; ".join(
        f"{v['id']} {[n['target'] for n in v['nodes'][:3]]}" for v in serious
    )


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), "orange").save(buffer, format="PNG")
    return buffer.getvalue()


def test_request_verdict_knapsack_vote_and_results(site, new_context):
    cycle = make_cycle("calderon", total=Decimal("50000.00"), phase="requests")
    rival = make_request(cycle, title="Alumbrado del parque central", cost=Decimal("30000.00"))
    make_request(cycle, title="Cubierta de la cancha", cost=Decimal("15000.00"))
    resident = make_resident("calderon")
    staff = make_staff("calderon")
    base = site.url + cycle.url

    # 1. The resident files a request (with a photo).
    page = logged_in_context(new_context, site, resident).new_page()
    page.goto(base + "solicitudes/nueva/")
    page.get_by_label("Proyecto social").check()
    page.get_by_label("Título").fill("Escuela de música para jóvenes")
    page.get_by_label("Descripción").fill("Clases gratuitas de música los sábados.")
    page.get_by_label("Parroquia").select_option(label="Calderón")
    page.get_by_label("Barrio").fill("Marianitas")
    page.get_by_label("Costo estimado (USD)").fill("22000")
    page.set_input_files(
        "#id_image_1", files=[{"name": "casa.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    page.get_by_label("Qué muestra la foto 1").fill("La casa barrial donde serían las clases")
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar la solicitud").click()
    expect(page.locator("h1")).to_have_text("Escuela de música para jóvenes")
    expect(page.locator(".messages")).to_contain_text("quedó registrada como PP-")
    request = Request.objects.get(title="Escuela de música para jóvenes")
    assert request.images.count() == 1

    page.goto(base + "solicitudes/")
    expect(page.locator(".request-list h2")).to_have_count(3)
    assert_accessible(page, "request list")

    # 2. Staff (with two-factor authentication) find it viable.
    set_phase(cycle, "prefeasibility")
    staff_page = logged_in_context(new_context, site, staff, mfa=True).new_page()
    staff_page.goto(base + f"solicitudes/{request.pk}/prefactibilidad/")
    staff_page.get_by_label("Viable", exact=True).check()
    staff_page.get_by_label("Costo técnico estimado (USD)").fill("21000")
    with staff_page.expect_navigation():
        staff_page.get_by_role("button", name="Registrar el dictamen").click()
    expect(staff_page.locator("main")).to_contain_text(
        "Viable. Costo técnico estimado: USD 21.000,00."
    )

    # 3. The resident votes: the envelope is USD 50.000,00.
    set_phase(cycle, "prioritisation")
    page.goto(base + "votar/")
    expect(page.locator("[data-role=remaining]")).to_have_text("USD 50.000,00")
    page.get_by_label(re.compile("Escuela de música")).check()
    page.get_by_label(re.compile("Alumbrado del parque central")).check()
    # The optional script keeps the remaining budget live...
    expect(page.locator("[data-role=remaining]")).to_have_text("-USD 1.000,00")
    assert_accessible(page, "voting page")
    # ...but the server decides: over budget is refused with the reason.
    with page.expect_navigation():
        page.get_by_role("button", name="Guardar mi voto").click()
    expect(page.locator("#ballot-error")).to_contain_text("USD 51.000,00")
    page.get_by_label(re.compile("Alumbrado del parque central")).uncheck()
    page.get_by_label(re.compile("Cubierta de la cancha")).check()
    expect(page.locator("[data-role=remaining]")).to_have_text("USD 14.000,00")
    with page.expect_navigation():
        page.get_by_role("button", name="Guardar mi voto").click()
    expect(page.locator(".messages")).to_contain_text("Su voto ha sido guardado")
    assert rival.ballot_lines.count() == 0

    # 4. Staff publish the results; the page explains the outcome.
    set_phase(cycle, "results")
    staff_page.goto(base + "resultados/")
    with staff_page.expect_navigation():
        staff_page.get_by_role("button", name="Calcular y publicar los resultados").click()
    # Publishing asks for confirmation on its own page first.
    with staff_page.expect_navigation():
        staff_page.get_by_role("button", name="Sí, calcular y publicar los resultados").click()
    page.goto(base + "resultados/")
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Cubierta de la cancha")
    expect(rows.nth(1)).to_contain_text("Escuela de música para jóvenes")
    expect(rows.nth(1)).to_contain_text("Seleccionado")
    expect(rows.nth(2)).to_contain_text("Omitido: no recibió votos")
    assert_accessible(page, "results page")
    request.refresh_from_db()
    assert request.status == "prioritised"


def test_request_location_is_picked_on_the_map(site, new_context):
    cycle = make_cycle("calderon", phase="requests")
    resident = make_resident("calderon")
    page = logged_in_context(new_context, site, resident).new_page()
    page.goto(site.url + cycle.url + "solicitudes/nueva/")
    map_box = page.locator("#location-map")
    expect(map_box).to_be_visible()  # shown only when JavaScript runs
    assert page.locator("#id_latitude").input_value() == ""
    map_box.click(position={"x": 120, "y": 80})
    latitude = float(page.locator("#id_latitude").input_value())
    longitude = float(page.locator("#id_longitude").input_value())
    # Around the map's centre on Quito (zoom 11: a few km per 100 px).
    assert -0.6 < latitude < 0.3 and -78.9 < longitude < -78.1
    expect(page.locator(".leaflet-marker-icon")).to_have_count(1)
    assert_accessible(page, "request form with map")


def test_request_form_without_javascript_has_no_map(site, new_context):
    cycle = make_cycle("calderon", phase="requests")
    resident = make_resident("calderon")
    context = new_context(java_script_enabled=False)
    client = Client()
    client.force_login(resident)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site.url}]
    )
    page = context.new_page()
    page.goto(site.url + cycle.url + "solicitudes/nueva/")
    expect(page.locator("#location-map")).to_be_hidden()
    expect(page.locator("#id_latitude")).to_be_visible()
