"""The search page in a real Chromium: it works without JavaScript, filters by type and
zone, and axe finds nothing serious on the results, nor after a query that cannot be
searched."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def search_site(site):
    from consultations.demo import load_demo_consultations

    load_demo_consultations()
    return site


def _serious(page) -> list:
    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def _submit(page):
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()


def test_search_without_javascript_ranks_the_ordinance_first(search_site, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(search_site.url + "/buscar/")
    page.fill("input[name=q]", "participacion")
    _submit(page)
    first = page.locator("ol.search-results li.search-hit").first
    expect(first.locator("a")).to_have_attribute(
        "href", "/consultas/ordenanza-participacion-ciudadana/"
    )
    expect(first.locator("mark").first).to_be_visible()

    # Narrow to consultation articles: the select keeps the choice, the list only them.
    page.select_option("select[name=tipo]", "articulo")
    _submit(page)
    expect(page.locator("select[name=tipo]")).to_have_value("articulo")
    kinds = page.locator("li.search-hit").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds and set(kinds) == {"articulo"}


def test_no_serious_accessibility_violations_on_the_results(search_site, page):
    # axe needs JavaScript; the same page, filtered by zone, with marks and pagination.
    page.goto(search_site.url + "/buscar/")
    page.fill("input[name=q]", "participacion")
    page.select_option("select[name=zona]", "calderon")
    _submit(page)
    expect(page.locator("select[name=zona]")).to_have_value("calderon")
    assert _serious(page) == []
    page.goto(search_site.url + "/buscar/?q=participacion")
    expect(page.locator("ol.search-results mark").first).to_be_visible()
    assert _serious(page) == []


def test_a_query_that_cannot_be_searched_is_explained_accessibly(search_site, page):
    page.goto(search_site.url + "/buscar/")
    page.fill("input[name=q]", "&|!:*()")
    _submit(page)
    expect(page.locator("#search-notices")).to_be_visible()
    expect(page.locator("ol.search-results")).to_have_count(0)
    assert _serious(page) == []

    page.goto(search_site.url + "/buscar/?q=participacion&tipo=nada&zona=narnia&pagina=-4")
    expect(page.locator("#search-notices p")).to_have_count(3)
    expect(page.locator("ol.search-results li").first).to_be_visible()
    assert _serious(page) == []
