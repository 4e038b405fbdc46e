"""The participation indicators in Chromium: the page and a methodology sheet pass axe
(nothing serious or critical) and do not scroll sideways at 360 px; the charts are SVG with
their tables; the zone and year filters work with JavaScript turned off."""

import pytest
from playwright.sync_api import expect

from indicators import definitions as d
from tests.browser.test_budgets import assert_accessible
from tests.browser.test_works import assert_no_sideways_scroll
from tests.indicators.builders import A, build_history

pytestmark = pytest.mark.browser


def test_indicators_page_and_a_methodology_sheet(site, page):
    build_history()
    page.goto(site.url + "/indicadores/")
    expect(page.locator("h1")).to_be_visible()
    # Five charts, and the two of training and social actors.
    expect(page.locator("svg.chart-svg[role=img]")).to_have_count(7)
    expect(page.locator("#chart-assemblies table")).to_be_visible()
    assert_accessible(page, "indicators page")
    assert_no_sideways_scroll(page)

    page.locator(f"#comparison a[href='/indicadores/{d.ASSEMBLIES}/']").first.click()
    expect(page).to_have_url(site.url + f"/indicadores/{d.ASSEMBLIES}/")
    expect(page.locator(".sheet-fields dt")).to_have_count(7)
    assert_accessible(page, "methodology sheet")
    assert_no_sideways_scroll(page)


def test_filters_work_without_javascript(site, new_context):
    history = build_history()
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site.url + "/indicadores/")
    page.locator("select[name=zona]").select_option(A)
    page.locator("select[name=anio]").select_option("2022")
    with page.expect_navigation():
        page.locator("form.indicator-filters button[type=submit]").click()
    assert "zona=eloy-alfaro" in page.url and "anio=2022" in page.url
    expect(page.locator("#quiet-count")).to_have_attribute("data-count", "4")
    listed = page.locator(".quiet-list li").evaluate_all(
        "items => items.map(item => item.dataset.dpa)"
    )
    assert set(listed) == {parish.dpa_code for parish in history["A"][5:]}
    assert_no_sideways_scroll(page)
