"""The surveys in Chromium: a resident answers the demo survey on public information and
sees the thank-you page; axe finds nothing serious on the questionnaire and on the public
results; nothing scrolls sideways at 360 px; the questionnaire works without JavaScript."""

import pytest
from playwright.sync_api import expect

from surveys.demo import CLOSED_SLUG, INFO_SLUG, load_demo_surveys
from surveys.models import Survey
from tests.browser.test_budgets import assert_accessible
from tests.browser.test_works import assert_no_sideways_scroll
from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def _logged_in_page(new_context, site, user, **kwargs):
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = new_context(**kwargs)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": site.url}]
    )
    return context.new_page()


def _answer(page, survey):
    for question in survey.questions.prefetch_related("choices"):
        name = f"q{question.pk}"
        if question.kind in ("single", "multiple"):
            page.locator(f'input[name="{name}"]').first.check()
        elif question.kind == "scale":
            page.locator(f'input[name="{name}"][value="4"]').check()
        elif question.kind == "short":
            page.locator(f'input[name="{name}"]').fill("El presupuesto de mi barrio")
        else:
            page.locator(f'textarea[name="{name}"]').fill("Publicar datos abiertos cada mes.")


def test_answer_the_survey_and_see_the_thank_you_page(site, new_context):
    load_demo_surveys()
    survey = Survey.objects.get(slug=INFO_SLUG)
    before = survey.responses.count()
    page = _logged_in_page(new_context, site, UserFactory())
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(site.url + f"/encuestas/{INFO_SLUG}/")
    expect(page.locator("h1")).to_have_text(survey.title)
    assert_accessible(page, "a survey's questionnaire")
    assert_no_sideways_scroll(page)

    # Sent with a required question missing: the errors are shown, nothing is lost.
    page.locator("textarea").fill("Publicar datos abiertos cada mes.")
    page.locator("form.survey-form button[type=submit]").click()
    expect(page.locator(".form-errors")).to_be_visible()
    expect(page.locator("textarea")).to_have_value("Publicar datos abiertos cada mes.")
    assert_accessible(page, "a survey's questionnaire with errors")
    assert_no_sideways_scroll(page)

    _answer(page, survey)
    page.locator("form.survey-form button[type=submit]").click()
    expect(page).to_have_url(site.url + f"/encuestas/{INFO_SLUG}/gracias/")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page, "the thank-you page")
    assert survey.responses.count() == before + 1


def test_the_questionnaire_works_without_javascript(site, new_context):
    load_demo_surveys()
    survey = Survey.objects.get(slug=INFO_SLUG)
    page = _logged_in_page(new_context, site, UserFactory(), java_script_enabled=False)
    page.goto(site.url + f"/encuestas/{INFO_SLUG}/")
    _answer(page, survey)
    page.locator("form.survey-form button[type=submit]").click()
    expect(page).to_have_url(site.url + f"/encuestas/{INFO_SLUG}/gracias/")


def test_results_and_list_are_accessible_and_fit_a_phone(site, page):
    load_demo_surveys()
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(site.url + "/encuestas/")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page, "the list of surveys")
    assert_no_sideways_scroll(page)
    page.goto(site.url + f"/encuestas/{CLOSED_SLUG}/resultados/")
    expect(page.locator(".indicator-chart")).to_have_count(2)
    expect(page.locator("#response-count")).to_contain_text("24")
    assert_accessible(page, "a survey's results")
    assert_no_sideways_scroll(page)
