"""Public works in Chromium: filter the list, the map draws the same works (from the
GeoJSON with the list's filters), open a work, a verified resident posts an observation,
and axe finds nothing serious on the list and on a work's page. Without JavaScript the
list works and the map gives way to the GeoJSON link."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.test_budgets import assert_accessible, logged_in_context
from tests.budgets.builders import make_resident, make_staff
from tests.works.builders import make_work
from works.models import Observation
from works.status import WorkStatus

pytestmark = pytest.mark.browser


def assert_no_sideways_scroll(page):
    """Phone first: at 360 px wide nothing makes the page scroll sideways."""
    page.set_viewport_size({"width": 360, "height": 740})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 720})
    assert width <= 360, f"the page is {width} px wide at 360 px"


def works_in_two_zones():
    staff = make_staff("calderon")
    calderon = [
        make_work(
            "calderon",
            staff=staff,
            status=status,
            title=title,
            latitude=Decimal(lat),
            longitude=Decimal("-78.42"),
        )
        for status, title, lat in (
            (WorkStatus.UNDER_WAY, "Adoquinado de la calle Carapungo", "-0.090"),
            (WorkStatus.UNDER_WAY, "Muro de contención en Marianitas", "-0.110"),
            (WorkStatus.FINISHED, "Cubierta de la cancha de Llano Chico", "-0.130"),
        )
    ]
    make_work("eloy-alfaro", title="Parque lineal de Solanda", latitude=Decimal("-0.26"))
    make_work("eloy-alfaro", title="Alumbrado de La Mena", latitude=None, longitude=None)
    return calderon


def test_filter_list_map_agrees_open_a_work_and_post_an_observation(site, new_context):
    calderon = works_in_two_zones()
    resident = make_resident("calderon")
    page = logged_in_context(new_context, site, resident).new_page()

    page.goto(site.url + "/obras/")
    expect(page.locator("[data-code]")).to_have_count(5)
    page.locator("select[name=zona]").select_option("calderon")
    with page.expect_navigation():
        page.locator("form.works-filters button[type=submit]").click()
    expect(page.locator("[data-code]")).to_have_count(3)
    expect(page.locator("#works-count")).to_have_attribute("data-count", "3")

    # The map reads the GeoJSON with the same filters and draws the same three works.
    works_map = page.locator("#works-map")
    expect(works_map).to_be_visible()
    assert "zona=calderon" in works_map.get_attribute("data-geojson")
    expect(works_map).to_have_attribute("data-drawn", "3")
    features = int(works_map.get_attribute("data-features"))
    expect(page.locator("#works-map .leaflet-marker-icon")).to_have_count(features)
    single_titles = page.locator("#works-map img.leaflet-marker-icon").evaluate_all(
        "nodes => nodes.map(node => node.getAttribute('alt'))"
    )
    listed = page.locator("[data-code]").evaluate_all(
        "nodes => nodes.map(node => node.dataset.code)"
    )
    assert {title.split(" · ")[0] for title in single_titles} <= set(listed)
    assert set(listed) == {work.code for work in calderon}
    assert_accessible(page, "works list with map")
    assert_no_sideways_scroll(page)

    # Open a work and post an observation from the ground.
    work = calderon[0]
    with page.expect_navigation():
        page.get_by_role("link", name=work.title).click()
    expect(page.locator("h1")).to_have_text(work.title)
    expect(page.locator("#avance-fisico")).to_have_attribute("value", "30.00")
    expect(page.locator("#work-map")).to_be_visible()
    page.locator("input[name=assessment][value=detenida]").check()
    page.locator("textarea[name=text]").fill("Desde el lunes no hay trabajadores en la obra.")
    with page.expect_navigation():
        page.locator("form[action$='/observar/'] button[type=submit]").click()
    expect(page.locator(".messages")).to_be_visible()
    observation = Observation.objects.get(work=work)
    expect(page.locator(f"#comentario-{observation.comment_id}")).to_contain_text(
        "Desde el lunes no hay trabajadores en la obra."
    )
    assert_accessible(page, "a work's page")
    assert_no_sideways_scroll(page)

    # The zone page shows its works and their map.
    page.goto(site.url + "/zonas/calderon/")
    expect(page.locator("#section-obras")).to_be_visible()
    expect(page.locator("#works-map")).to_have_attribute("data-drawn", "3")
    assert_accessible(page, "zone page with its works")


def test_without_javascript_the_list_works_and_the_map_is_a_link(site, new_context):
    works_in_two_zones()
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site.url + "/obras/?estado=en_ejecucion")
    expect(page.locator("[data-code]")).to_have_count(2)
    expect(page.locator("#works-map")).to_be_hidden()
    link = page.locator("a[href='/obras/geojson/?estado=en_ejecucion']")
    expect(link).to_be_visible()
