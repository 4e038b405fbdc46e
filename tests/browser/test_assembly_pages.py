"""Live assemblies in a real Chromium (tests of the assemblies app that need the browser
fixtures of this folder). The live page: axe finds no serious violations, with and without
JavaScript, and the page is usable without it.

(The two-page test, staff opening a vote while a follower's page updates, needs an ASGI live
server; pytest-django's live server is WSGI only. See the report / docs/live-protocol.md.)
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def assembly_site(transactional_db, live_server, browser):
    from assemblies.demo import load_demo_assemblies
    from home.demo import load_demo
    from territory.services import territory_load
    from tests.assemblies.conftest import wagtail_base

    wagtail_base()
    territory_load()
    load_demo()
    load_demo_assemblies()
    return live_server


LIVE = "/zonas/calderon/asamblea-zonal-calderon-en-vivo/"
PAST = "/zonas/calderon/asamblea-parroquial-llano-chico-2026/"


@pytest.mark.parametrize("path", [LIVE, PAST, "/asambleas/"])
def test_no_serious_accessibility_violations(assembly_site, page, path):
    page.goto(assembly_site.url + path)
    expect(page.locator("h1")).to_have_count(1)
    violations = Axe().run(page).response["violations"]
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in serious]


def test_live_page_without_javascript(assembly_site, new_context):
    nojs = new_context(java_script_enabled=False).new_page()
    nojs.goto(assembly_site.url + LIVE)
    expect(nojs.locator("#live-status")).to_have_text("En curso")
    expect(
        nojs.get_by_role("heading", name="¿Cuál debe ser la primera prioridad de obra?")
    ).to_be_visible()
    expect(nojs.locator("#live-agenda li[aria-current=step]")).to_have_text(
        "Votación de prioridades"
    )
    expect(nojs.get_by_text("Inicie sesión para hacer una pregunta")).to_be_visible()
