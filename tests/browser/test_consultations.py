"""Consultations in a real browser: commenting with JavaScript off, and axe on the pages."""

import pytest
from allauth.account.models import EmailAddress
from axe_playwright_python.sync_playwright import Axe

from accounts.models import Resident, User
from consultations.demo import load_demo_consultations
from discussions.models import Comment
from privacy.consent import consent_ensure_current
from territory.models import Parish
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

CITY = "/consultas/ordenanza-participacion-ciudadana/"
ZONAL = "/zonas/calderon/ordenanza-espacio-publico-calderon/"


@pytest.fixture
def consultations_site(site):
    load_demo_consultations()
    return site


def test_resident_comments_on_an_article_without_javascript(consultations_site, new_context):
    parish = Parish.objects.get(name="Cumbayá")
    user = User.objects.create_user(email="rosa@example.ec", password=PASSWORD)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    consent_ensure_current(user)  # as sign-up records it: commenting needs it
    Resident.objects.create(
        user=user, display_name="Rosa de Cumbayá", zone=parish.zone, parish=parish
    )
    page = new_context(java_script_enabled=False).new_page()
    page.goto(consultations_site.url + "/cuenta/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.goto(consultations_site.url + CITY)
    page.click("text=Comentar este artículo >> nth=0")
    assert "/articulo/art-1/" in page.url
    page.fill("textarea[name=body]", "Pido que se publique el reglamento en lenguaje claro.")
    page.check("input[name=stance][value=favor]")
    page.click("form.comment-form button[type=submit]")
    assert "Pido que se publique el reglamento" in page.content()
    assert Comment.objects.filter(author=user, stance="favor").count() == 1


@pytest.mark.parametrize(
    "path",
    [
        CITY,
        CITY + "articulo/art-3/",
        CITY + "general/",
        CITY + "cambios/",
        ZONAL + "informe/",
        "/consultas/",
    ],
)
def test_no_serious_accessibility_violations(consultations_site, page, path):
    page.goto(consultations_site.url + path)
    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert not serious, f"axe on {path}: {serious}"
