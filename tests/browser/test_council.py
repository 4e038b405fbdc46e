"""The council in Chromium: the calendar (/concejo/), a held session and an agenda item
with its roll call: axe finds nothing serious, nothing scrolls sideways at 360 px, the
calendar filters work without JavaScript, and no third-party player is embedded."""

import pytest
from playwright.sync_api import expect

from council.demo import load_demo_council
from council.models import AgendaItem, CouncilSession
from tests.browser.test_budgets import assert_accessible
from tests.browser.test_works import assert_no_sideways_scroll

pytestmark = pytest.mark.browser


def test_calendar_session_and_item_are_accessible_and_fit_a_phone(site, page):
    load_demo_council()
    held = CouncilSession.objects.get(number="047")
    item = AgendaItem.objects.get(session=held, position=1)
    page.set_viewport_size({"width": 360, "height": 800})

    page.goto(site.url + "/concejo/")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("#upcoming-heading")).to_be_visible()
    expect(page.locator(".council-session")).to_have_count(CouncilSession.objects.count())
    assert_accessible(page, "the council calendar")
    assert_no_sideways_scroll(page)

    page.locator(f'a[href="/concejo/sesion/{held.pk}/"]').click()
    expect(page).to_have_url(site.url + f"/concejo/sesion/{held.pk}/")
    expect(page.locator(".council-agenda-item")).to_have_count(2)
    expect(page.locator(".council-attendance tbody tr")).to_have_count(21)
    expect(page.locator("a.council-video")).to_have_attribute("href", held.video_url)
    expect(page.locator("iframe")).to_have_count(0)
    assert_accessible(page, "a council session")
    assert_no_sideways_scroll(page)

    page.locator("#punto-1 h3 a").click()
    expect(page).to_have_url(site.url + f"/concejo/sesion/{held.pk}/punto/1/")
    expect(page.locator(".council-votes tbody tr")).to_have_count(item.votes.count())
    expected = item.votes.filter(choice="a_favor").count()
    expect(page.locator(".council-tally-a_favor .council-tally-count")).to_have_text(str(expected))
    assert_accessible(page, "an agenda item's roll call")
    assert_no_sideways_scroll(page)


def test_the_calendar_filters_without_javascript(site, new_context):
    load_demo_council()
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site.url + "/concejo/")
    page.select_option("#f-tipo", "comision")
    page.get_by_role("button", name="Filtrar").click()
    expect(page).to_have_url(site.url + "/concejo/?tipo=comision&comision=&mes=")
    commission_sessions = CouncilSession.objects.filter(kind="comision").count()
    expect(page.locator(".council-session")).to_have_count(commission_sessions)
