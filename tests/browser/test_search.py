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


def test_search_without_javascript_ranks_the_ordinance_first(search_site, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(search_site.url + "/buscar/")
    page.fill("input[name=q]", "participacion")
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    first = page.locator("ol.search-results li.search-hit").first
    expect(first.locator("a")).to_have_attribute(
        "href", "/consultas/ordenanza-participacion-ciudadana/"
    )
    expect(first.locator("mark").first).to_be_visible()
    assert _serious(page) == []

    # Narrow to consultation articles: the select keeps the choice, the list only them.
    page.select_option("select[name=tipo]", "articulo")
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator("select[name=tipo]")).to_have_value("articulo")
    kinds = page.locator("li.search-hit").evaluate_all("els => els.map(e => e.dataset.kind)")
    assert kinds and set(kinds) == {"articulo"}
    assert _serious(page) == []


def test_a_query_that_cannot_be_searched_is_explained_accessibly(search_site, page):
    page.goto(search_site.url + "/buscar/")
    page.fill("input[name=q]", "&|!:*()")
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    expect(page.locator("#search-notices")).to_be_visible()
    expect(page.locator("ol.search-results")).to_have_count(0)
    assert _serious(page) == []

    page.goto(search_site.url + "/buscar/?q=a%00b&tipo=nada&pagina=-4")
    expect(page.locator("#search-q-error")).to_be_visible()
    expect(page.locator("#search-q")).to_have_attribute("aria-invalid", "true")
    assert _serious(page) == []
