"""No dead ends, in a real Chromium: a logged-out resident clicks "Comentar este
artículo", signs up, confirms from the link in the e-mail and lands back on the article's
comment form; axe on the 403 page and on a comment form sent with errors."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from quitodecide.pages import subpage_url
from territory.models import Parish
from tests.budgets.builders import make_cycle
from tests.consultations.helpers import make_consultation

pytestmark = pytest.mark.browser

PASSWORD = "una-clave-larga-2026"


def serious_violations(page):
    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['help']} {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def test_comment_cta_sign_up_confirm_and_back_on_the_article(site, page, settings):
    settings.SITE_BASE_URL = site.url
    consultation = make_consultation(slug="consulta-abierta")
    thread_url = subpage_url(consultation, "provision_thread", "art-1")

    page.goto(site.url + consultation.url)
    page.locator("#art-1 a.comment-cta").click()
    expect(page).to_have_url(re.compile(r"/cuenta/login/\?next="))
    page.locator("main a[href*='/cuenta/signup/']").first.click()
    expect(page).to_have_url(re.compile(r"/cuenta/signup/\?next="))

    page.fill("input[name=email]", "lucia@example.ec")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.select_option("select[name=zone]", label="Calderón")
    page.select_option("select[name=parish]", str(Parish.objects.get(name="Llano Chico").pk))
    page.check("input[name=privacy_consent]")
    mail.outbox.clear()
    with page.expect_navigation():
        page.locator("form[action*='/cuenta/signup/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/cuenta/confirm-email/$"))

    link = re.search(r"https?://\S+/cuenta/confirm-email/\S+", mail.outbox[-1].body).group(0)
    assert link.startswith(site.url)
    page.goto(link)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(re.escape(thread_url) + "#comentar$"))
    form = page.locator("#comentar form.comment-form")
    expect(form).to_be_visible()

    # Sent empty: the errors are shown, and the page with them passes axe.
    page.eval_on_selector("#comentar form", "f => f.noValidate = true")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("#comentar .field-invalid").first).to_be_visible()
    assert not serious_violations(page)


def test_the_403_page_explains_and_passes_axe(site, page):
    cycle = make_cycle("calderon", phase="results")
    page.goto(site.url + cycle.url + cycle.reverse_subpage("request_new"))
    expect(page.locator("[data-refusal='phase']")).to_be_visible()
    expect(page.locator("#refusal-reason")).not_to_be_empty()
    expect(page.locator("header.site-header")).to_be_visible()
    assert not serious_violations(page)
