"""Zone staff open the admin in Chromium (desktop and a 360 px phone): the dashboard shows
“Tareas de mi zona” first, its links lead to where each task is done, and axe finds
nothing serious in the panel (Wagtail's own markup around it is not ours to fix)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import Client
from playwright.sync_api import expect

from tests.budgets.builders import make_cycle, make_request, make_staff, mfa_login
from tests.home.test_staff_tasks import flag_comment, make_assembly

pytestmark = pytest.mark.browser

PANEL = "#staff-tasks-section"


def staff_context(new_context, site, user, **kwargs):
    client = Client()
    mfa_login(client, user)
    context = new_context(**kwargs)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site.url}]
    )
    return context


def assert_panel_accessible(page):
    violations = Axe().run(page, context={"include": [[PANEL]]}).response["violations"]
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, "axe on the staff tasks panel: " + "; ".join(
        f"{v['id']} {[n['target'] for n in v['nodes'][:3]]}" for v in serious
    )


@pytest.mark.parametrize("viewport", [None, {"width": 360, "height": 740}])
def test_staff_see_their_zones_tasks_and_follow_one(site, new_context, viewport):
    flag_comment("calderon", "Comentario ofensivo de prueba")
    assembly = make_assembly("calderon", "Asamblea zonal de hoy")
    cycle = make_cycle("calderon", year=2031, phase="requests")
    make_request(cycle, title="Solicitud sin dictamen", viable=None)
    make_assembly("tumbaco", "Asamblea de Tumbaco hoy")
    staff = make_staff("calderon")
    kwargs = {"viewport": viewport} if viewport else {}
    page = staff_context(new_context, site, staff, **kwargs).new_page()

    page.goto(site.url + "/admin/")
    panel = page.locator(PANEL)
    expect(panel).to_be_visible()
    expect(panel.locator("h2")).to_be_visible()  # “Tareas de mi zona” after the catalogue pass
    expect(panel.locator("[data-zone=calderon]")).to_be_visible()
    expect(panel).not_to_contain_text("Tumbaco")
    # (The demo has tasks of its own in Calderón: ours are among them, maybe not listed.)
    expect(panel.locator("[data-zone=calderon] [data-task=moderation]")).to_be_visible()
    expect(panel.locator("[data-zone=calderon] [data-task=verdicts]")).to_be_visible()
    assert_panel_accessible(page)
    if viewport:
        width = page.evaluate("s => document.querySelector(s).scrollWidth", PANEL)
        assert width <= viewport["width"], width

    # Today's assembly leads to its control panel.
    with page.expect_navigation():
        panel.get_by_role("link", name="Asamblea zonal de hoy").click()
    assert page.url == site.url + assembly.url + "control/"
    expect(page.locator("h1")).to_be_visible()
