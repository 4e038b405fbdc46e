"""/cuenta/mis-datos/ in Chromium: axe finds nothing serious (before and after asking for
the download), nothing scrolls sideways at 360 px, and without JavaScript a resident asks
for their data, sees the download offered and gets the ZIP."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from privacy.models import DataExport
from tests.browser.test_budgets import assert_accessible, logged_in_context
from tests.browser.test_works import assert_no_sideways_scroll
from tests.budgets.builders import make_resident

pytestmark = pytest.mark.browser

PATH = "/cuenta/mis-datos/"


def test_the_page_is_accessible_and_fits_a_phone(site, new_context):
    resident = make_resident("calderon")
    page = logged_in_context(new_context, site, resident).new_page()
    page.goto(site.url + PATH)
    expect(page.locator("h1")).to_be_visible()
    for section in ("#descargar", "#corregir", "#verificacion"):
        expect(page.locator(f"section{section} h2")).to_be_visible()
    assert_accessible(page, "my data")
    assert_no_sideways_scroll(page)
    expect(page.locator("form[action='/cuenta/mis-datos/descargar/'] button")).to_be_visible()


def test_without_javascript_ask_for_the_data_and_download_it(site, new_context):
    resident = make_resident("calderon")
    context = logged_in_context(new_context, site, resident)
    page = context.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    # The context above has JavaScript on; the same session in a context without it.
    cookies = context.cookies()
    no_js = new_context(java_script_enabled=False, accept_downloads=True)
    no_js.add_cookies(cookies)
    page = no_js.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(site.url + PATH)
    with page.expect_navigation():
        page.locator("form[action='/cuenta/mis-datos/descargar/'] button").click()
    assert page.url.endswith(PATH + "#descargar")
    export = DataExport.objects.get(user=resident)
    assert export.status == "ready"
    link = page.locator(f"a[href='/cuenta/mis-datos/descargar/{export.pk}/']")
    expect(link).to_be_visible()
    assert_no_sideways_scroll(page)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("mis-datos-quito-decide-")
    with open(download.path(), "rb") as handle:
        content = handle.read()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        data = json.loads(archive.read("datos.json"))
    assert data["cuenta"]["correo"] == resident.email


def test_after_asking_the_page_is_still_accessible(site, new_context):
    resident = make_resident("calderon")
    page = logged_in_context(new_context, site, resident).new_page()
    page.goto(site.url + PATH)
    with page.expect_navigation():
        page.locator("form[action='/cuenta/mis-datos/descargar/'] button").click()
    expect(page.locator("a[href^='/cuenta/mis-datos/descargar/'][download]")).to_be_visible()
    assert_accessible(page, "my data, download ready")
