"""The API's interactive docs in Chromium: Swagger UI loads from our own static files,
renders the operations of the OpenAPI document, breaks no CSP rule (no console error, no
securitypolicyviolation event, nothing fetched from another origin), and axe finds nothing
serious. Without JavaScript the page says where the document is."""

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.test_budgets import assert_accessible

pytestmark = pytest.mark.browser


def test_api_docs_render_under_the_csp(site, page):
    errors, requests = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda request: requests.append(request.url))
    page.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )

    response = page.goto(site.url + "/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    expect(
        page.locator(".swagger-ui .opblock-summary-path", has_text="/api/v1/works").first
    ).to_be_visible()
    expect(page.locator("header h1")).to_contain_text("API")

    # Open one operation: its parameters (with the page-size bound) are shown.
    page.locator(".opblock-summary-path", has_text="/api/v1/parishes").first.click()
    expect(page.locator(".parameters").first).to_contain_text("page_size")

    assert page.evaluate("window.__cspViolations") == []
    assert errors == [], errors
    origins = {urlparse(url).netloc for url in requests if url.startswith("http")}
    assert origins == {urlparse(site.url).netloc}, origins
    assert_accessible(page, "/api/v1/docs")


def test_api_docs_without_javascript_point_to_the_document(site, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site.url + "/api/v1/docs")
    link = page.get_by_role("link", name="/api/v1/openapi.json").first
    expect(link).to_be_visible()
    # The explorer's place says why it is empty and links to the document.
    expect(page.locator('main a[href="/api/v1/openapi.json"]')).to_be_visible()
