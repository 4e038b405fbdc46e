"""The city portal in a real Chromium: header sections with the current one marked, the phone
menu without JavaScript, no sideways scrolling, and axe at load and after opening the menu."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from assemblies.models import AssemblyIndexPage
from budgets.models import BudgetIndexPage
from consultations.demo import ensure_index
from home.models import HomePage

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def portal(site):
    home = HomePage.objects.get()
    ensure_index()
    home.add_child(
        instance=BudgetIndexPage(title="Presupuestos participativos", slug="presupuestos")
    )
    home.add_child(instance=AssemblyIndexPage(title="Asambleas", slug="asambleas"))
    return site


def _serious(page):
    violations = Axe().run(page).response["violations"]
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    return [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in serious]


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("/consultas/", "consultas"),
        ("/asambleas/", "asambleas"),
        ("/obras/", "obras"),
        ("/zonas/calderon/", "zonas"),
        ("/datos/", "datos"),
    ],
)
def test_the_header_marks_the_current_section(portal, new_context, path, section):
    page = new_context(viewport=DESKTOP).new_page()
    page.goto(portal.url + path)
    nav = page.locator("header nav.site-nav")
    expect(nav.locator("summary")).to_be_hidden()  # wide screens: no disclosure
    current = nav.locator("a[aria-current=page]")
    expect(current).to_have_count(1)
    expect(current).to_have_attribute("data-section", section)
    expect(current).to_be_visible()
    # The mark is visible, not only announced: a coloured bar under the link.
    colour = current.evaluate("a => getComputedStyle(a).borderBottomColor")
    other = nav.locator("a[data-section]:not([aria-current])").first
    assert colour != other.evaluate("a => getComputedStyle(a).borderBottomColor")


def test_the_header_leads_to_every_section(portal, page):
    page.set_viewport_size(DESKTOP)
    page.goto(portal.url + "/")
    nav = page.locator("header nav.site-nav")
    nav.locator("a[data-section=presupuestos]").click()
    expect(page).to_have_url(re.compile(r"/presupuestos/$"))
    expect(page.locator("header a[aria-current=page]")).to_have_attribute(
        "data-section", "presupuestos"
    )
    page.locator("header nav.site-nav a[data-section=obras]").click()
    expect(page).to_have_url(re.compile(r"/obras/$"))


def test_the_phone_menu_works_without_javascript(portal, new_context):
    page = new_context(java_script_enabled=False, viewport=PHONE).new_page()
    page.goto(portal.url + "/zonas/calderon/")
    nav = page.locator("header nav.site-nav")
    summary = nav.locator("summary")
    expect(summary).to_be_visible()
    links = nav.locator("ul.nav-list a")
    expect(links.first).to_be_hidden()  # closed until asked for
    summary.click()
    expect(links).to_have_count(7)
    for index in range(7):
        expect(links.nth(index)).to_be_visible()
    expect(nav.locator("a[aria-current=page]")).to_have_attribute("data-section", "zonas")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    nav.locator("a[data-section=consultas]").click()
    expect(page).to_have_url(re.compile(r"/consultas/$"))
    # The account links stay outside the menu: one tap to log in.
    expect(page.locator("header .account-links a[href^='/cuenta/login/?next=']")).to_be_visible()


@pytest.mark.parametrize("path", ["/", "/zonas/calderon/", "/consultas/", "/presupuestos/"])
def test_no_sideways_scrolling_on_a_phone(portal, new_context, path):
    page = new_context(viewport=PHONE).new_page()
    page.goto(portal.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path


@pytest.mark.parametrize("path", ["/", "/zonas/calderon/"])
def test_axe_finds_nothing_serious_at_load(portal, new_context, path):
    for viewport in (DESKTOP, PHONE):
        page = new_context(viewport=viewport).new_page()
        page.goto(portal.url + path)
        assert not _serious(page), (path, viewport)


def test_axe_finds_nothing_serious_with_the_phone_menu_open(portal, new_context):
    page = new_context(viewport=PHONE).new_page()
    page.goto(portal.url + "/zonas/calderon/")
    page.locator("header nav.site-nav summary").click()
    expect(page.locator("header details.site-menu")).to_have_attribute("open", "")
    expect(page.locator("header nav.site-nav ul.nav-list a").first).to_be_visible()
    assert not _serious(page)


def test_the_zone_page_shows_its_image_and_map(portal, page):
    page.goto(portal.url + "/zonas/choco-andino/")
    expect(page.locator("main figure.zone-image img")).to_be_visible()
    map_svg = page.locator("main figure.zone-map svg[role=img]")
    expect(map_svg).to_be_visible()
    expect(map_svg.locator("circle.parish-mine")).to_have_count(6)
    box = map_svg.bounding_box()
    assert box["width"] > 100 and box["height"] > 100
