"""The silla vacía's application form in Chromium: axe finds nothing serious on the form
(anonymous and logged in) nor on the confirmation, nothing scrolls sideways at 360 px, and
the whole application (with a PDF) goes through without JavaScript."""

import pytest
from playwright.sync_api import expect

from council.demo_empty_seat import demo_pdf
from council.models import EmptySeatApplication
from tests.browser.test_budgets import assert_accessible, logged_in_context
from tests.browser.test_works import assert_no_sideways_scroll
from tests.council.test_empty_seat import fields, make_item
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def fill(page):
    for name, value in fields().items():
        page.fill(f"#id_{name}", value)
    page.set_input_files(
        "#id_documents",
        files=[
            {"name": "registro.pdf", "mimeType": "application/pdf", "buffer": demo_pdf("R")},
            {"name": "carta.pdf", "mimeType": "application/pdf", "buffer": demo_pdf("C")},
        ],
    )


def test_the_form_for_a_visitor_is_accessible_and_asks_to_log_in(site, page):
    item = make_item()
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{site.url}/concejo/silla-vacia/punto/{item.pk}/")
    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("[data-refusal=login] a.button-link")).to_have_attribute(
        "href", f"/cuenta/login/?next=%2Fconcejo%2Fsilla-vacia%2Fpunto%2F{item.pk}%2F"
    )
    assert_accessible(page, "the empty-seat form (visitor)")
    assert_no_sideways_scroll(page)


def test_the_form_errors_confirmation_and_my_applications_are_accessible(site, new_context):
    item = make_item()
    page = logged_in_context(new_context, site, UserFactory()).new_page()
    page.goto(f"{site.url}/concejo/silla-vacia/punto/{item.pk}/")
    expect(page.locator("#id_documents")).to_have_attribute("accept", ".pdf,application/pdf")
    assert_accessible(page, "the empty-seat form")
    assert_no_sideways_scroll(page)
    # A bad submission shows the field errors, still accessible.
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator(".field-invalid").first).to_be_visible()
    assert_accessible(page, "the empty-seat form with errors")
    fill(page)
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Solicitud recibida")
    application = EmptySeatApplication.objects.get()
    expect(page).to_have_url(f"{site.url}/concejo/silla-vacia/solicitud/{application.pk}/")
    assert application.documents.count() == 2
    assert_accessible(page, "the empty-seat confirmation")
    assert_no_sideways_scroll(page)
    page.goto(f"{site.url}/concejo/silla-vacia/mis-solicitudes/")
    expect(page.locator(f"#solicitud-{application.pk} button")).to_be_visible()
    assert_accessible(page, "my empty-seat applications")
    assert_no_sideways_scroll(page)


def test_an_application_goes_through_without_javascript(site, new_context):
    """(axe and the width check need JavaScript: they run in the test above.)"""
    item = make_item()
    context = logged_in_context(
        lambda **kw: new_context(java_script_enabled=False, **kw), site, UserFactory()
    )
    page = context.new_page()
    page.goto(f"{site.url}/concejo/silla-vacia/punto/{item.pk}/")
    fill(page)
    page.locator("form[enctype] button[type=submit]").click()
    expect(page.locator("h1")).to_have_text("Solicitud recibida")
    assert EmptySeatApplication.objects.get().documents.count() == 2
