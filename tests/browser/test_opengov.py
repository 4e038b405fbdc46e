"""The open-government commitments in Chromium: the list of plans and a commitment's page
(with a "Cumplido*" note and its verifiables), axe finds nothing serious on either, and
nothing scrolls sideways at 360 px. Readable without JavaScript."""

import pytest
from playwright.sync_api import expect

from opengov.demo import load_opengov
from opengov.models import MilestoneStatus
from tests.browser.test_budgets import assert_accessible
from tests.browser.test_works import assert_no_sideways_scroll

pytestmark = pytest.mark.browser


def test_the_plans_and_a_commitment_page_are_accessible_and_fit_a_phone(site, page):
    load_opengov()
    page.goto(site.url + "/gobierno-abierto/")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".commitment-card")).to_have_count(5)
    expect(page.locator("progress#avance-paga-2-2")).to_have_attribute("value", "75.0")
    assert_accessible(page, "open-government plans")
    assert_no_sideways_scroll(page)

    page.locator("#compromiso-3 h3 a").click()
    expect(page).to_have_url(site.url + "/gobierno-abierto/paga-2/compromiso-3/")
    expect(page.locator(".milestone")).to_have_count(5)
    noted = page.locator("#hito-3")
    expect(noted.locator(".milestone-status-fulfilled_with_note")).to_have_text(
        str(MilestoneStatus.FULFILLED_WITH_NOTE.label)
    )
    expect(noted.locator(".milestone-note")).to_contain_text("Zonales Quito")
    expect(noted.locator(".verifiables a")).to_have_attribute(
        "href", "https://zonales.quito.gob.ec/?page_id=29988"
    )
    assert_accessible(page, "an open-government commitment")
    assert_no_sideways_scroll(page)


def test_the_pages_work_without_javascript(site, new_context):
    load_opengov()
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site.url + "/gobierno-abierto/paga-2/compromiso-1/")
    expect(page.locator(".milestone")).to_have_count(3)
    expect(page.locator("#hito-2 .milestone-note")).to_contain_text("31 de enero de 2023")
