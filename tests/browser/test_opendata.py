"""The dataset catalogue in Chromium: /datos/ and a dataset's page pass axe (nothing serious
or critical), fit a 360 px screen without sideways scrolling, and their download links
work; without JavaScript nothing changes (the pages have no script)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.test_budgets import assert_accessible
from tests.browser.test_works import assert_no_sideways_scroll
from tests.opendata.test_catalogue import closed_consultation, published_cycle
from tests.works.builders import make_work

pytestmark = pytest.mark.browser


def test_catalogue_and_a_dataset_page_are_accessible_on_a_phone(site, new_context):
    make_work(title="Adoquinado de la calle Carapungo", latitude=Decimal("-0.09"))
    published_cycle()
    closed_consultation()
    page = new_context().new_page()

    page.goto(site.url + "/datos/")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("[data-dataset=obras-publicas]")).to_be_visible()
    expect(page.locator("[data-dataset=presupuestos-calderon-2026-resultados]")).to_be_visible()
    assert_accessible(page, "dataset catalogue")
    assert_no_sideways_scroll(page)

    with page.expect_navigation():
        page.locator("[data-dataset=obras-publicas] h4 a").click()
    assert page.url == site.url + "/datos/obras-publicas/"
    expect(page.locator("table.dictionary tbody tr").first).to_be_visible()
    assert page.locator("table.dictionary tbody tr").count() == 25
    assert_accessible(page, "works dataset page")
    assert_no_sideways_scroll(page)

    csv_link = page.locator("a[data-format=CSV]").get_attribute("href")
    response = page.request.get(csv_link)
    assert response.status == 200 and response.headers["content-type"].startswith("text/csv")

    page.goto(site.url + "/datos/presupuestos-calderon-2026-resultados/")
    assert_accessible(page, "budget results dataset page")
    assert_no_sideways_scroll(page)


def test_catalogue_without_javascript(site, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site.url + "/datos/parroquias/")
    expect(page.locator("a[data-format=GeoJSON]")).to_be_visible()
    assert page.locator("script").count() == 0
    assert_no_sideways_scroll(page)
