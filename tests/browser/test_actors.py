"""The directory of social actors in Chromium (/actores/): axe finds nothing serious,
nothing scrolls sideways at 360 px, the map draws its markers (Leaflet, CSP nonces), the
filters work without JavaScript, and an actor's page is accessible too."""

import pytest
from playwright.sync_api import expect

from actors.demo import load_demo_actors
from actors.models import Actor
from tests.browser.test_budgets import assert_accessible
from tests.browser.test_works import assert_no_sideways_scroll

pytestmark = pytest.mark.browser


def test_directory_and_an_actor_are_accessible_and_fit_a_phone(site, page):
    load_demo_actors()
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(site.url + "/actores/")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator(".actor-card")).to_have_count(20)
    expect(page.locator("#actors-map")).to_be_visible()
    expect(page.locator("#actors-map .leaflet-marker-icon").first).to_be_attached()
    assert_accessible(page, "the directory of social actors")
    assert_no_sideways_scroll(page)

    actor = Actor.objects.order_by("zone__name", "name", "pk").first()
    page.locator(f'a[href="/actores/{actor.pk}/"]').first.click()
    expect(page).to_have_url(site.url + f"/actores/{actor.pk}/")
    expect(page.locator("h1")).to_have_text(actor.name)
    assert_accessible(page, "a social actor's page")
    assert_no_sideways_scroll(page)


def test_the_filters_work_without_javascript(site, new_context):
    load_demo_actors()
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site.url + "/actores/")
    expect(page.locator("#actors-map")).to_be_hidden()
    page.select_option("#f-zona", "tumbaco")
    page.get_by_role("button", name="Filtrar").click()
    expect(page.locator(".actor-card")).to_have_count(
        Actor.objects.filter(zone__slug="tumbaco").count()
    )
