"""From comment to enacted ordinance in Chromium, on the law-making demo: the consultation
page (contributions taken up, the enacted text), the diff between versions (a renumbered
article shown as such), the enacted text with the contributions taken up per article, and
the report with its dispositions. axe finds nothing serious, nothing scrolls sideways at
360 px, and all of it reads without JavaScript."""

import pytest
from playwright.sync_api import expect

from consultations.demo_lawmaking import load_demo_lawmaking
from consultations.models import ConsultationPage
from tests.browser.test_budgets import assert_accessible
from tests.browser.test_works import assert_no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def ordinance(site):
    load_demo_lawmaking()
    return ConsultationPage.objects.get(slug="ordenanza-arbolado-urbano-calderon")


def test_the_path_to_the_enacted_text_is_accessible_and_fits_a_phone(site, page, ordinance):
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(site.url + ordinance.url)
    expect(page.locator("h1")).to_have_text(ordinance.title)
    expect(page.get_by_text("fueron acogidas")).to_be_visible()
    assert_accessible(page, "a consultation with its outcome")
    assert_no_sideways_scroll(page)

    page.goto(site.url + ordinance.url + "cambios/?desde=1&hasta=2")
    expect(page.get_by_text("renumerado").first).to_be_visible()
    assert_accessible(page, "the diff between two versions")
    assert_no_sideways_scroll(page)

    page.goto(site.url + ordinance.url + "texto-sancionado/")
    expect(page.locator("#cambios")).to_be_visible()
    expect(page.locator("ul.taken-up li").first).to_be_visible()
    assert_accessible(page, "the enacted text")
    assert_no_sideways_scroll(page)

    page.goto(site.url + ordinance.url + "informe/")
    expect(page.get_by_text("Acogida parcialmente").first).to_be_visible()
    assert_accessible(page, "the report with dispositions")
    assert_no_sideways_scroll(page)


def test_the_enacted_text_reads_without_javascript(site, new_context, ordinance):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site.url + ordinance.url + "texto-sancionado/")
    taken_up = page.locator("ul.taken-up li a").first
    href = taken_up.get_attribute("href")
    taken_up.click()
    expect(page).to_have_url(site.url + href)
    expect(page.locator(f"#{href.split('#')[1]}")).to_be_visible()
