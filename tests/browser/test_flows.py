"""End-to-end flows in a real Chromium: navigation, sign-up errors, keyboard, no-JS, axe.

The site is served by pytest-django's ``live_server``; every test builds its own data
through the ``site`` fixture (live-server tests are transactional).
"""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.models import User

pytestmark = pytest.mark.browser

ZONE_COUNT = 10
SIGNUP_FORM = "form[action*='/cuenta/signup/']"


def test_navigation_and_signup_errors_in_spanish(site, page):
    page.goto(site.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_count(1)
    expect(page.locator("h1")).to_have_text("Quito Decide")
    zone_links = page.locator("ul.zones a[href^='/zonas/']")
    expect(zone_links).to_have_count(ZONE_COUNT)

    page.get_by_role("link", name="Calderón", exact=True).click()
    expect(page).to_have_url(re.compile(r"/zonas/calderon/$"))
    expect(page.locator("h1")).to_contain_text("Calderón")
    expect(page.get_by_text("Llano Chico", exact=True)).to_be_visible()

    page.locator("header").get_by_role("link", name="Registrarse").click()
    # The header's sign-up link brings the resident back to the zone afterwards.
    expect(page).to_have_url(re.compile(r"/cuenta/signup/\?next=%2Fzonas%2Fcalderon%2F$"))
    form = page.locator(SIGNUP_FORM)
    expect(form).to_be_visible()

    page.fill("input[name=email]", "no-es-un-correo")
    page.fill("input[name=password1]", "una-clave-larga-2026")
    page.fill("input[name=password2]", "otra-clave-distinta-2026")
    page.fill("input[name=display_name]", "María de Carapungo")
    page.fill("input[name=cedula]", "1710034066")  # check digit should be 5
    expect(page.locator("input[name=privacy_consent]")).not_to_be_checked()
    users_before = User.objects.count()  # the demo content has its superuser
    # Let the server validate: the browser's own checks would block the submit.
    page.eval_on_selector(SIGNUP_FORM, "f => f.noValidate = true")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/cuenta/signup/(\?next=%2Fzonas%2Fcalderon%2F)?$"))
    body = page.locator("main")
    expect(body).to_contain_text("Introduzca una dirección de correo electrónico válida")
    expect(body).to_contain_text("Este número de cédula no es válido: revise los dígitos.")
    expect(body).to_contain_text("Debe aceptar la política de privacidad para crear una cuenta.")
    # Nothing the person typed is lost (except the passwords, which are never echoed back).
    expect(page.locator("input[name=email]")).to_have_value("no-es-un-correo")
    expect(page.locator("input[name=display_name]")).to_have_value("María de Carapungo")
    assert User.objects.count() == users_before
    assert not User.objects.filter(email__iexact="no-es-un-correo").exists()


def test_first_tab_focuses_the_skip_link(site, page):
    page.goto(site.url + "/")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_text("Saltar al contenido")
    expect(focused).to_have_attribute("href", "#contenido")


def test_site_works_without_javascript(site, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(site.url + "/")
    expect(page.locator("ul.zones a[href^='/zonas/']")).to_have_count(ZONE_COUNT)

    page.goto(site.url + "/zonas/calderon/")
    expect(page.get_by_text("Llano Chico", exact=True)).to_be_visible()

    page.goto(site.url + "/buscar/")
    page.fill("input[name=q]", "Calderón")
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/buscar/\?q=Calder"))
    results = page.locator("ol.search-results a")
    expect(results.first).to_be_visible()
    expect(results.filter(has_text="Calderón").first).to_be_visible()


def _describe(violations):
    """Rule id, impact, a few target nodes and axe's own fix hint, for the developer."""
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        targets = [node["target"] for node in nodes[:3]]
        lines.append(
            f"- {violation['id']} [{violation['impact']}] {violation['help']}"
            f" ({len(nodes)} nodes, e.g. {targets}) {violation.get('helpUrl', '')}"
        )
        if nodes and nodes[0].get("failureSummary"):
            lines.append("    " + nodes[0]["failureSummary"].replace("\n", "\n    "))
    return "\n".join(lines)


@pytest.mark.parametrize("path", ["/", "/zonas/calderon/", "/cuenta/signup/", "/cuenta/login/"])
def test_no_serious_accessibility_violations(site, page, path):
    page.goto(site.url + path)
    results = Axe().run(page)
    violations = results.response["violations"]
    if violations:
        print(f"axe on {path}:\n{_describe(violations)}")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert not serious, f"axe on {path}:\n{_describe(serious)}"
