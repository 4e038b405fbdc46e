"""The public pages: the questionnaire, errors in Spanish with the values kept, invitation
links, refusals, the thank-you page, results and downloads."""

import datetime

import pytest
from django.utils import timezone

from surveys import services
from surveys.forms import field_name
from surveys.invitations import make_token
from surveys.models import Response, Survey
from tests.factories import UserFactory, login_with_mfa

from .exercisers import exercise_surveys_responses, exercise_surveys_results
from .helpers import es, full_answers, ids, make_survey, q, staff, zone

pytestmark = pytest.mark.django_db


def _post_data(survey, answers):
    data = {}
    for pk, value in answers.items():
        data[f"q{pk}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def _close(survey, public=True):
    now = timezone.now()
    Survey.objects.filter(pk=survey.pk).update(
        opens_at=now - datetime.timedelta(days=9),
        closes_at=now - datetime.timedelta(days=1),
        results_public=public,
    )
    survey.refresh_from_db()


def test_the_questionnaire_renders_every_kind_without_js(client):
    survey = make_survey()
    client.force_login(UserFactory())
    page = client.get(f"/encuestas/{survey.slug}/").content.decode()
    assert 'type="radio"' in page and 'type="checkbox"' in page and "<textarea" in page
    assert f"({es('required')})" in page and f"({es('optional')})" not in page
    assert f'name="{field_name(q(survey, "scale"))}" value="5"' in page
    assert "<script" not in page.split('class="survey-form"')[1].split("</form>")[0]


def test_answer_then_thank_you_then_already_answered(client):
    survey = make_survey()
    client.force_login(UserFactory())
    answer = client.post(f"/encuestas/{survey.slug}/", _post_data(survey, full_answers(survey)))
    assert answer.status_code == 302 and answer["Location"] == f"/encuestas/{survey.slug}/gracias/"
    assert client.get(answer["Location"]).status_code == 200
    again = client.get(f"/encuestas/{survey.slug}/")
    assert services.already_answered_message() in again.content.decode()
    posted = client.post(f"/encuestas/{survey.slug}/", _post_data(survey, full_answers(survey)))
    assert posted.status_code == 403
    assert Response.objects.filter(survey=survey).count() == 1


def test_errors_in_spanish_and_nothing_lost(client):
    survey = make_survey()
    client.force_login(UserFactory())
    data = _post_data(survey, full_answers(survey, text="Mi texto con ñ"))
    data[field_name(q(survey, "short"))] = "x" * 301
    del data[field_name(q(survey, "scale"))]
    page = client.post(f"/encuestas/{survey.slug}/", data)
    assert page.status_code == 400
    html = page.content.decode()
    assert "Este campo es necesario." in html  # Django's own Spanish
    assert "menos de 300 caracteres (tiene 301)" in html
    assert "Mi texto con ñ</textarea>" in html  # the long answer kept
    single = field_name(q(survey, "single"))
    first = ids(q(survey, "single"))[0]
    assert f'name="{single}" value="{first}" id="id_{single}_0" required checked' in html or (
        f'value="{first}"' in html and "checked" in html
    )
    assert not Response.objects.filter(survey=survey).exists()


def test_not_logged_in_is_told_to_log_in(client):
    survey = make_survey()
    page = client.get(f"/encuestas/{survey.slug}/")
    assert page.status_code == 200
    assert 'data-refusal="login"' in page.content.decode()
    assert client.post(f"/encuestas/{survey.slug}/", {}).status_code == 403


def test_closed_and_unpublished(client):
    survey = make_survey()
    _close(survey)
    client.force_login(UserFactory())
    page = client.get(f"/encuestas/{survey.slug}/").content.decode()
    assert 'data-refusal="phase"' in page
    hidden = make_survey(is_published=False)
    assert client.get(f"/encuestas/{hidden.slug}/").status_code == 404
    assert client.get("/encuestas/no-existe/").status_code == 404


def test_answer_by_invitation_with_the_token_kept(client):
    survey = make_survey(limit=Survey.Limit.PER_INVITATION)
    token = make_token(survey, "training-registration:3", "Ana")
    page = client.get(f"/encuestas/{survey.slug}/", {"invitacion": token}).content.decode()
    assert f'value="{token}"' in page and 'name="invitacion"' in page
    data = _post_data(survey, full_answers(survey))
    bad = client.post(
        f"/encuestas/{survey.slug}/",
        {**data, "scale": ""} | {"invitacion": token} | {field_name(q(survey, "scale")): "9"},
    )
    assert bad.status_code == 400 and f'value="{token}"' in bad.content.decode()
    ok = client.post(f"/encuestas/{survey.slug}/", {**data, "invitacion": token})
    assert ok.status_code == 302
    again = client.post(f"/encuestas/{survey.slug}/", {**data, "invitacion": token})
    assert again.status_code == 403
    assert survey.responses.count() == 1
    # Without the invitation, an account is told it is by invitation only.
    client.force_login(UserFactory())
    assert 'data-refusal="phase"' in client.get(f"/encuestas/{survey.slug}/").content.decode()


@pytest.mark.parametrize("token", ["nonsense", "x" * 3000, ""])
def test_forged_tokens_are_refused_on_the_page(client, token):
    survey = make_survey(limit=Survey.Limit.PER_INVITATION)
    data = {**_post_data(survey, full_answers(survey)), "invitacion": token}
    answer = client.post(f"/encuestas/{survey.slug}/", data)
    assert answer.status_code == 403
    assert not survey.responses.exists()


def test_a_token_for_another_survey_is_refused(client):
    survey = make_survey(limit=Survey.Limit.PER_INVITATION)
    other = make_survey(limit=Survey.Limit.PER_INVITATION)
    token = make_token(other, "training-registration:3")
    data = {**_post_data(survey, full_answers(survey)), "invitacion": token}
    assert client.post(f"/encuestas/{survey.slug}/", data).status_code == 403
    assert not Response.objects.exists()


def test_hostile_posts_never_500(client):
    survey = make_survey()
    client.force_login(UserFactory())
    for data in (
        {field_name(q(survey, "single")): ["1", "2"]},
        {field_name(q(survey, "multiple")): ["x", "x"]},
        {field_name(q(survey, "scale")): "\x00"},
        {"q999999": "x", "invitacion": ["a", "b"]},
    ):
        assert client.post(f"/encuestas/{survey.slug}/", data).status_code in (400, 403)


def test_results_charts_numbers_and_texts_for_staff_only(client):
    survey = make_survey(zone=zone())
    scale = q(survey, "scale")
    for n in (1, 5, 5):
        data = full_answers(survey, text="Texto privado") | {scale.pk: n}
        services.submit(UserFactory(), survey, data)
    assert client.get(f"/encuestas/{survey.slug}/resultados/").status_code in (302, 403)
    _close(survey)
    page = client.get(f"/encuestas/{survey.slug}/resultados/").content.decode()
    assert "3 respuestas." in page or "3 responses." in page
    assert 'data-value="2"' in page  # the two fives
    assert "3,67" in page or "3.67" in page  # the mean
    assert "Texto privado" not in page
    login_with_mfa(client, staff(survey.zone))
    page = client.get(f"/encuestas/{survey.slug}/resultados/").content.decode()
    assert "Texto privado" in page
    texts = client.get(f"/encuestas/{survey.slug}/resultados/textos/{q(survey, 'long').pk}/")
    assert texts.status_code == 200 and texts.content.decode().count("Texto privado") == 3


def test_private_results_only_for_staff(client):
    survey = make_survey(zone=zone())
    _close(survey, public=False)
    assert client.get(f"/encuestas/{survey.slug}/resultados/").status_code in (302, 403)
    assert client.get(f"/encuestas/{survey.slug}/resultados/resultados.csv").status_code in (
        302,
        403,
    )
    login_with_mfa(client, staff(survey.zone))
    assert client.get(f"/encuestas/{survey.slug}/resultados/").status_code == 200


def test_the_responses_csv_is_for_the_zones_staff_only(client):
    survey = make_survey(zone=zone())
    services.submit(UserFactory(), survey, full_answers(survey))
    url = f"/encuestas/{survey.slug}/respuestas.csv"
    assert client.get(url).status_code == 302  # log in
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    other_zone = type(survey.zone).objects.exclude(pk=survey.zone_id).first()
    login_with_mfa(client, staff(other_zone))
    assert client.get(url).status_code == 403
    login_with_mfa(client, staff(survey.zone))
    assert client.get(url).status_code == 200


def test_exercisers(client):
    assert len(exercise_surveys_responses(client)) == 1
    client.logout()
    assert len(exercise_surveys_results(client)) == 2


def test_index_lists_open_and_closed_public(client):
    city = make_survey(title="Ciudad abierta")
    local = make_survey(title="Zonal abierta", zone=zone())
    closed = make_survey(title="Cerrada pública")
    _close(closed)
    private = make_survey(title="Cerrada privada")
    _close(private, public=False)
    page = client.get("/encuestas/").content.decode()
    assert city.title in page and local.title in page and closed.title in page
    assert private.title not in page
    assert local.zone.name in page


def test_zone_include(client):
    from django.template.loader import render_to_string

    here = make_survey(title="De esta zona", zone=zone())
    city = make_survey(title="De la ciudad")
    elsewhere = type(here.zone).objects.exclude(pk=here.zone_id).first()
    make_survey(title="De otra zona", zone=elsewhere)
    html = render_to_string("surveys/includes/zone_surveys.html", {"zone": here.zone})
    assert here.title in html and city.title in html and "De otra zona" not in html
