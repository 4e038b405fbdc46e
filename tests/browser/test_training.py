"""Training in Chromium: the index and a session's page pass axe and fit 360 px; a person
without an account registers with the form (no JavaScript needed) and sees the
confirmation; a full session offers the waiting list."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_budgets import assert_accessible
from tests.browser.test_works import assert_no_sideways_scroll
from training.demo import load_demo_training
from training.models import Registration, TrainingSession

pytestmark = pytest.mark.browser


def test_session_page_is_accessible_and_registers_without_an_account(site, page):
    load_demo_training()
    session = TrainingSession.objects.get(title__startswith="Rendición de cuentas")
    full = TrainingSession.objects.get(title__startswith="Veeduría ciudadana")
    page.set_viewport_size({"width": 360, "height": 800})

    page.goto(site.url + "/formacion/")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page, "the training index")
    assert_no_sideways_scroll(page)

    page.goto(site.url + f"/formacion/sesion/{full.pk}/")
    expect(page.locator("#places-left")).to_be_visible()
    expect(page.locator(".training-register-form button[type=submit]")).to_be_visible()
    assert_accessible(page, "a full training session")
    assert_no_sideways_scroll(page)

    page.goto(site.url + f"/formacion/sesion/{session.pk}/")
    assert_accessible(page, "a training session")
    assert_no_sideways_scroll(page)
    page.fill("#id_name", "Ana Quishpe")
    page.fill("#id_email", "ana.quishpe@example.ec")
    page.select_option("#id_parish", label="Llano Chico")
    page.check("#id_privacy_consent")
    page.locator(".training-register-form button[type=submit]").click()
    expect(page.locator("#registration-status")).to_be_visible()
    assert_accessible(page, "the registration confirmation")
    assert_no_sideways_scroll(page)
    registration = Registration.objects.get(email="ana.quishpe@example.ec")
    assert registration.status == "confirmada" and registration.user is None
