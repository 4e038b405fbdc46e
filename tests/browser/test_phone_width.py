"""Phones first: at 360 x 740 no key page scrolls sideways (document width <= viewport width),
public or staff. Wide tables either stack their rows or scroll inside a labelled, focusable
region, never the page. On failure the message lists the elements that stick out.

Also: the budget results table puts the outcome (selected or not, and why) first, and at
1280 px its last column is fully visible without scrolling."""

from decimal import Decimal

import pytest
from django.test import Client
from playwright.sync_api import expect

from assemblies import services as assembly_services
from budgets import services as budget_services
from budgets.models import BudgetIndexPage
from consultations.demo import load_demo_consultations
from home.models import HomePage
from opengov.demo import load_opengov
from territory.models import ZonePage
from tests.assemblies.conftest import make_assembly, staff_of
from tests.browser.test_budgets import assert_accessible
from tests.budgets.builders import (
    make_cycle,
    make_request,
    make_resident,
    make_staff,
    mfa_login,
    set_phase,
)
from tests.indicators.builders import build_history
from tests.opendata.test_catalogue import closed_consultation, published_cycle
from tests.works.builders import make_work

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
CITY = "/consultas/ordenanza-participacion-ciudadana/"
ZONAL = "/zonas/calderon/ordenanza-espacio-publico-calderon/"
LONG = (
    "Rehabilitación integral de la casa barrial, la cancha de uso múltiple y los "
    "accesos peatonales del sector"
)

# Elements whose right edge passes the viewport, leaving out those that sit inside a
# container that clips or scrolls them (a table in its scroll region is fine).
WIDE_ELEMENTS_JS = """() => {
  const limit = document.documentElement.clientWidth;
  // An absolutely positioned element escapes the clipping of its non-positioned ancestors.
  const clipped = (el) => {
    let escapes = getComputedStyle(el).position;
    escapes = escapes === 'absolute' || escapes === 'fixed';
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (escapes && style.position === 'static') continue;
      escapes = false;
      const o = style.overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.classList.length ? '.' + [...el.classList].join('.') : '');
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= limit + 0.5 || clipped(el)) continue;
    const path = [];
    for (let p = el; p && p !== document.body && path.length < 4; p = p.parentElement) {
      path.unshift(name(p));
    }
    out.push(`${path.join(' > ')} (right ${Math.round(box.right)} px, ` +
      `width ${Math.round(box.width)} px)`);
  }
  return out.slice(-12);
}"""


def session_context(new_context, live_server, user, *, mfa=False, **kwargs):
    client = Client()
    if mfa:
        mfa_login(client, user)
    else:
        client.force_login(user)
    context = new_context(**kwargs)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return context


def budget_index():
    index = BudgetIndexPage.objects.first()
    if index is None:
        index = HomePage.objects.get().add_child(
            instance=BudgetIndexPage(title="Presupuestos participativos", slug="presupuestos")
        )
    return index


def results_cycle():
    """A cycle with published results: many rows with long titles, some selected."""
    budget_index()
    cycle = make_cycle("calderon", year=2026, total=Decimal("250000.00"), phase="prioritisation")
    requests = [
        make_request(
            cycle,
            title=f"{LONG} número {number}",
            cost=Decimal("38500.00") + number * Decimal("1250.50"),
        )
        for number in range(1, 13)
    ]
    make_request(cycle, title="Obra que no es viable", viable=False)
    for voter in range(4):
        resident = make_resident("calderon")
        budget_services.ballot_submit(
            cycle=cycle,
            user=resident,
            request_ids=[request.pk for request in requests[voter : voter + 3]],
        )
    cycle = set_phase(cycle, "results")
    staff = make_staff("calderon")
    budget_services.results_publish(cycle=cycle, actor=staff)
    return cycle, staff, requests


def open_cycle(phase="requests", year=2027):
    budget_index()
    cycle = make_cycle("calderon", year=year, phase=phase)
    request = make_request(cycle, title=LONG, cost=Decimal("123456.78"))
    make_request(cycle, title="Cubierta de la cancha", cost=Decimal("15000.00"))
    return cycle, request


def live_assembly():
    zone_page = ZonePage.objects.get(zone__slug="calderon")
    assembly = make_assembly(zone_page, slug="en-vivo", agenda=("Apertura", LONG, "Cierre"))
    staff = staff_of(zone_page)
    assembly_services.assembly_start(assembly=assembly, actor=staff)
    return assembly, staff


def a_work():
    return make_work("calderon", title=LONG, latitude=Decimal("-0.09"), longitude=Decimal("-78.42"))


# Each builder makes its data and returns (path, user or None, needs MFA).
def home():
    return "/", None, False


def zone():
    a_work()
    return "/zonas/calderon/", None, False


def consultation_index():
    load_demo_consultations()
    return "/consultas/", None, False


def consultation():
    load_demo_consultations()
    return CITY, None, False


def consultation_report():
    load_demo_consultations()
    return ZONAL + "informe/", None, False


def version_diff():
    load_demo_consultations()
    return CITY + "cambios/", None, False


def budgets_index():
    open_cycle()
    return "/presupuestos/", None, False


def cycle_page():
    """With its parish envelopes: a three-column table with long parish names."""
    from budgets import services as budget_services
    from territory.models import Parish

    cycle, _ = open_cycle()
    parishes = list(Parish.objects.filter(zone__slug="calderon").order_by("pk"))
    share = (cycle.total_amount / len(parishes)).quantize(Decimal("0.01"))
    amounts = dict.fromkeys(parishes, share)
    amounts[parishes[0]] += cycle.total_amount - share * len(parishes)
    budget_services.envelopes_set(cycle=cycle, amounts=amounts, actor=make_staff("calderon"))
    return cycle.url, None, False


def request_list():
    cycle, _ = open_cycle()
    return cycle.url + "solicitudes/", None, False


def request_detail():
    cycle, request = open_cycle()
    return f"{cycle.url}solicitudes/{request.pk}/", None, False


def request_form():
    cycle, _ = open_cycle()
    return cycle.url + "solicitudes/nueva/", make_resident("calderon"), False


def verdict_form():
    cycle, request = open_cycle(phase="prefeasibility")
    return f"{cycle.url}solicitudes/{request.pk}/prefactibilidad/", make_staff("calderon"), True


def vote():
    cycle, _ = open_cycle(phase="prioritisation", year=2028)
    return cycle.url + "votar/", make_resident("calderon"), False


def results():
    cycle, _, _ = results_cycle()
    return cycle.url + "resultados/", None, False


def results_as_staff():
    cycle, staff, _ = results_cycle()
    return cycle.url + "resultados/", staff, True


def envelopes():
    cycle, _ = open_cycle()
    return cycle.url + "sobres/", make_staff("calderon"), True


def tallies():
    cycle, staff, _ = results_cycle()
    parish = cycle.zone.parishes.order_by("name").first()
    return f"{cycle.url}actas/?parroquia={parish.pk}", staff, True


def assembly_live():
    assembly, _ = live_assembly()
    return assembly.url, None, False


def assembly_control():
    assembly, staff = live_assembly()
    return assembly.url + "control/", staff, True


def works_list():
    a_work()
    make_work("eloy-alfaro", title="Parque lineal de Solanda", latitude=Decimal("-0.26"))
    return "/obras/", None, False


def work_detail():
    return f"/obras/{a_work().code}/", None, False


def open_data():
    a_work()
    published_cycle(year=2025)
    closed_consultation()
    return "/datos/", None, False


def open_dataset():
    published_cycle(year=2025)
    return "/datos/presupuestos-calderon-2025-resultados/", None, False


def indicators():
    build_history()
    return "/indicadores/", None, False


def open_government():
    load_opengov()
    return "/gobierno-abierto/", None, False


def works_matrix_admin():
    return "/admin/matriz-obras/", make_staff("calderon"), True


def search():
    """With its type and zone filters (the longest type label once widened the page)."""
    return "/buscar/?q=agua", None, False


def login():
    return "/cuenta/login/", None, False


def signup():
    return "/cuenta/signup/", None, False


PAGES = [
    home,
    zone,
    consultation_index,
    consultation,
    consultation_report,
    version_diff,
    budgets_index,
    cycle_page,
    request_list,
    request_detail,
    request_form,
    verdict_form,
    vote,
    results,
    results_as_staff,
    envelopes,
    tallies,
    assembly_live,
    assembly_control,
    works_list,
    work_detail,
    works_matrix_admin,
    open_data,
    open_dataset,
    indicators,
    open_government,
    search,
    login,
    signup,
]


def open_page(new_context, site, path, user, mfa, viewport):
    if user is None:
        context = new_context(viewport=viewport)
    else:
        context = session_context(new_context, site, user, mfa=mfa, viewport=viewport)
    page = context.new_page()
    response = page.goto(site.url + path)
    assert response.status == 200, f"{path} answered {response.status}"
    return page


@pytest.mark.parametrize("build", PAGES, ids=[build.__name__ for build in PAGES])
def test_no_page_scrolls_sideways_on_a_phone(site, new_context, build):
    path, user, mfa = build()
    page = open_page(new_context, site, path, user, mfa, PHONE)
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if widths[0] > widths[1]:
        wide = page.evaluate(WIDE_ELEMENTS_JS)
        pytest.fail(
            f"{path} is {widths[0]} px wide in a {widths[1]} px viewport; sticking out:\n  "
            + "\n  ".join(wide or ["(no single element: check margins and transforms)"])
        )


def test_results_table_on_a_phone_leads_with_the_outcome(site, new_context):
    cycle, _, requests = results_cycle()
    page = open_page(new_context, site, cycle.url + "resultados/", None, False, PHONE)
    table = page.locator("table.results").first
    # The decisive column comes first: selected or not, and why.
    first_header = table.locator("thead th").first
    expect(first_header).to_have_attribute("data-column", "outcome")
    first_row = table.locator("tbody tr").first
    outcome = first_row.locator("td, th").first
    expect(outcome).to_have_attribute("data-column", "outcome")
    expect(outcome.locator(".outcome-reason")).not_to_be_empty()
    # Every cell of a row fits the screen (the rows stack), each with its label.
    for cell in first_row.locator("td, th").all():
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], cell.inner_text()
    for cell in first_row.locator("td").all():
        assert cell.get_attribute("data-label"), cell.inner_html()
    # The region holding the table is labelled and reachable from the keyboard.
    region = page.locator("table.results >> xpath=ancestor::*[@role='region'][1]").first
    expect(region).to_have_attribute("tabindex", "0")
    assert region.get_attribute("aria-labelledby") or region.get_attribute("aria-label")
    assert_accessible(page, "results stacked on a phone")


def test_results_last_column_is_fully_visible_on_a_desktop(site, new_context):
    cycle, _, _ = results_cycle()
    page = open_page(new_context, site, cycle.url + "resultados/", None, False, DESKTOP)
    geometry = page.evaluate(
        """() => {
          const table = document.querySelector('table.results');
          const region = table.parentElement;
          const cells = [...table.querySelectorAll('tr')].map((row) => row.lastElementChild);
          return {
            viewport: document.documentElement.clientWidth,
            regionRight: region.getBoundingClientRect().right,
            regionScroll: region.scrollWidth - region.clientWidth,
            lastRight: Math.max(...cells.map((cell) => cell.getBoundingClientRect().right)),
          };
        }"""
    )
    assert geometry["regionScroll"] <= 0, geometry
    assert geometry["lastRight"] <= geometry["regionRight"] + 0.5, geometry
    assert geometry["lastRight"] <= geometry["viewport"], geometry
    expect(page.locator("table.results tbody tr").first.locator("td").last).to_be_visible()
