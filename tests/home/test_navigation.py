"""The header navigation (page tree + one setting), its query cost, the current section, the
footer links, the Votar tab before voting, the zone pages' map and image, and the weight of
the home page."""

import re

import pytest
from bs4 import BeautifulSoup
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assemblies.models import AssemblyIndexPage
from budgets.models import BudgetIndexPage
from consultations.demo import ensure_index
from home.demo import load_demo
from home.models import HomePage
from quitodecide import navigation
from tests.budgets.builders import make_cycle

pytestmark = pytest.mark.django_db

ORDER = ["consultas", "presupuestos", "asambleas", "obras", "datos", "zonas", "buscar"]


@pytest.fixture
def site(territory):
    load_demo()
    home = HomePage.objects.get()
    ensure_index()
    home.add_child(
        instance=BudgetIndexPage(title="Presupuestos participativos", slug="presupuestos")
    )
    home.add_child(instance=AssemblyIndexPage(title="Asambleas", slug="asambleas"))
    return home


def nav_links(html: str) -> dict:
    nav = BeautifulSoup(html, "html.parser").select_one("header nav.site-nav")
    assert nav is not None
    return {a["data-section"]: a for a in nav.select("a[data-section]")}


def current_sections(html: str) -> list[str]:
    return [key for key, a in nav_links(html).items() if a.get("aria-current") == "page"]


def test_the_header_lists_every_section_in_order_with_urls_from_the_tree(client, site):
    links = nav_links(client.get("/").content.decode())
    assert list(links) == ORDER
    assert {key: a["href"] for key, a in links.items()} == {
        "consultas": "/consultas/",
        "presupuestos": "/presupuestos/",
        "asambleas": "/asambleas/",
        "obras": "/obras/",
        "datos": "/datos/",
        "zonas": "/zonas/",
        "buscar": "/buscar/",
    }


def test_the_urls_follow_the_page_tree(client, site):
    """A moved or renamed index page moves its link; an unpublished one disappears."""
    index = BudgetIndexPage.objects.get()
    index.slug = "presupuestos-participativos"
    index.save_revision().publish()
    assert nav_links(client.get("/").content.decode())["presupuestos"]["href"] == (
        "/presupuestos-participativos/"
    )
    AssemblyIndexPage.objects.get().unpublish()
    links = nav_links(client.get("/").content.decode())
    assert "asambleas" not in links
    assert list(links) == [key for key in ORDER if key != "asambleas"]


def test_a_section_without_its_index_page_is_not_shown(client, territory):
    load_demo()  # zones, no consultations, budgets or assemblies index
    links = nav_links(client.get("/").content.decode())
    assert list(links) == ["obras", "datos", "zonas", "buscar"]


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("/consultas/", "consultas"),
        ("/presupuestos/", "presupuestos"),
        ("/asambleas/", "asambleas"),
        ("/obras/", "obras"),
        ("/datos/", "datos"),
        ("/zonas/", "zonas"),
        ("/zonas/calderon/", "zonas"),
        ("/buscar/?q=parque", "buscar"),
    ],
)
def test_the_current_section_is_marked(client, site, path, section):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert current_sections(html) == [section]
    assert "is-current" in nav_links(html)[section]["class"]


def test_sub_pages_mark_their_section_even_outside_its_index(client, site):
    """A budget cycle lives under a zone page, yet it (and its routed sub-pages) mark
    Presupuestos, not Zonas."""
    cycle = make_cycle("calderon", phase="requests")
    assert current_sections(client.get(cycle.url).content.decode()) == ["presupuestos"]
    assert current_sections(client.get(cycle.url + "votar/").content.decode()) == ["presupuestos"]
    assert current_sections(client.get(cycle.get_parent().url).content.decode()) == ["presupuestos"]


def test_pages_outside_any_section_mark_none(client, site):
    assert current_sections(client.get("/").content.decode()) == []
    assert current_sections(client.get("/acerca/").content.decode()) == []


def test_the_phone_menu_is_a_disclosure_that_needs_no_javascript(client, site):
    soup = BeautifulSoup(client.get("/").content.decode(), "html.parser")
    menu = soup.select_one("header nav.site-nav details.site-menu")
    assert menu is not None and menu.select_one("summary") is not None
    assert len(menu.select("ul.nav-list a")) == len(ORDER)
    assert not soup.select("header script")


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def _without_the_portal(settings):
    templates = [dict(engine, OPTIONS=dict(engine["OPTIONS"])) for engine in settings.TEMPLATES]
    processors = templates[0]["OPTIONS"]["context_processors"]
    templates[0]["OPTIONS"]["context_processors"] = [
        p for p in processors if p != "quitodecide.navigation.portal"
    ]
    return templates


@pytest.mark.parametrize("path", ["/acerca/", "/obras/", "/gobierno-abierto/"])
def test_the_navigation_costs_no_query_once_cached_and_two_when_cold(client, site, settings, path):
    """Measured against the same page rendered without the context processor (no header
    sections at all), on a Wagtail page and on two plain Django views."""
    client.get(path)  # warm Wagtail's and Django's per-process caches
    warm = _queries(client, path)
    navigation.forget()
    cold = _queries(client, path)
    original = settings.TEMPLATES
    settings.TEMPLATES = _without_the_portal(settings)
    client.get(path)
    without = _queries(client, path)
    assert 'data-section="' not in client.get(path).content.decode()
    settings.TEMPLATES = original
    assert warm == without, path
    assert cold <= without + 2, path


def test_publishing_a_page_drops_the_cached_navigation(client, territory):
    load_demo()
    assert "asambleas" not in nav_links(client.get("/").content.decode())
    HomePage.objects.get().add_child(
        instance=AssemblyIndexPage(title="Asambleas", slug="asambleas")
    )
    assert nav_links(client.get("/").content.decode())["asambleas"]["href"] == "/asambleas/"


def test_saving_a_page_deep_in_the_tree_keeps_the_cached_navigation(client, site):
    from django.core.cache import cache

    client.get("/")
    assert cache.get(navigation.CACHE_KEY)
    make_cycle("calderon")  # a zone's budgets page and its cycle, below the zone page
    assert cache.get(navigation.CACHE_KEY)
    BudgetIndexPage.objects.get().save_revision().publish()
    assert cache.get(navigation.CACHE_KEY) is None


def test_the_footer_links_indicators_open_government_and_the_council(client, site):
    footer = BeautifulSoup(client.get("/").content.decode(), "html.parser").select_one("footer")
    hrefs = {a["href"] for a in footer.select("a")}
    assert {"/indicadores/", "/gobierno-abierto/", "/concejo/"} <= hrefs


def test_the_favicon_is_linked(client, site):
    soup = BeautifulSoup(client.get("/").content.decode(), "html.parser")
    icon = soup.select_one("link[rel=icon]")
    assert icon is not None and icon["type"] == "image/svg+xml"
    assert finders.find(icon["href"].removeprefix("/static/"))


def test_the_home_more_links_are_distinct(client, site):
    from tests.budgets.builders import make_cycle as cycle

    cycle("calderon", phase="requests")
    with translation.override("en"):
        html = client.get("/", headers={"cookie": "django_language=en"}).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    labels = [a.get_text(strip=True) for a in soup.select("main a.more-link")]
    assert labels and len(labels) == len(set(labels))


def test_the_vote_tab_says_when_voting_opens(client, site):
    cycle = make_cycle("calderon", phase="requests")  # prioritisation still ahead
    voting = cycle.phase("prioritisation")
    html = client.get(cycle.url).content.decode()
    tab = BeautifulSoup(html, "html.parser").select_one("nav.cycle-nav li.vote-tab")
    assert tab is not None and tab.a["href"].endswith("/votar/")
    when = tab.select_one(".when")
    assert when["data-voting"] == "future"
    assert voting.starts_on.strftime("%d/%m/%Y") in when.get_text()
    main = BeautifulSoup(html, "html.parser").select_one(".voting-opens")
    assert main is not None and voting.starts_on.strftime("%d/%m/%Y") in main.get_text()

    open_cycle = make_cycle("tumbaco", phase="prioritisation")
    tab = BeautifulSoup(client.get(open_cycle.url).content.decode(), "html.parser")
    assert tab.select_one("li.vote-tab .when")["data-voting"] == "open"


def test_every_zone_page_has_an_image_and_a_map_of_its_parishes(client, site):
    from territory.models import ZonePage

    for zone_page in ZonePage.objects.live().select_related("zone"):
        soup = BeautifulSoup(client.get(zone_page.url).content.decode(), "html.parser")
        assert soup.select_one("main figure.zone-image img") is not None, zone_page.url
        svg = soup.select_one("main figure.zone-map svg[role=img]")
        assert svg is not None, zone_page.url
        mine = svg.select("circle.parish-mine")
        assert len(mine) == zone_page.zone.parishes.exclude(lat=None).count(), zone_page.url
        assert svg.select("circle.parish:not(.parish-mine)"), zone_page.url
        for circle in svg.select("circle"):  # no decimal commas in SVG coordinates
            assert re.fullmatch(r"-?\d+(\.\d+)?", circle["cx"]), circle


def test_the_district_map_projects_north_up_inside_its_box(territory):
    district = navigation.district_map()
    assert district is not None and len(district.zones) == 10
    by_name = {}
    for point in district.points:
        assert 0 <= point.x <= district.width and 0 <= point.y <= district.height
        by_name[point.name] = point
    # Calacalí (north of the equator) is above Amaguaña (south of Quito), Nanegalito (west) left
    # of Pifo (east).
    assert by_name["Calacalí"].y < by_name["Amaguaña"].y
    assert by_name["Nanegalito"].x < by_name["Pifo"].x


def page_weight(client, path) -> int:
    html = client.get(path).content
    total = len(html)
    for asset in re.findall(
        rb'<(?:link|script)[^>]+(?:href|src)="/static/([^"]+\.(?:css|js))"', html
    ):
        found = finders.find(asset.decode())
        assert found, asset
        with open(found, "rb") as handle:
            total += len(handle.read())
    return total


def test_the_home_page_weighs_under_50_kb_with_demo_like_content(client, site):
    from assemblies.demo import load_demo_assemblies
    from budgets.demo import load_demo_budgets
    from works.demo import load_demo_works

    load_demo_budgets()
    load_demo_assemblies()
    load_demo_works()
    html = client.get("/").content.decode()
    for section in ("presupuestos", "assemblies", "obras"):
        assert f'id="section-{section}"' in html, section
    assert page_weight(client, "/") < 50 * 1024
