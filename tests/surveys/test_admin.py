"""The staff's survey screens and services: scope per zone, the builder, audit, and the
freeze once a survey has responses."""

import pytest
from wagtail.models import ModelLogEntry

from quitodecide.errors import DomainError, PermissionDenied
from surveys import services
from surveys.models import Question, Survey
from tests.factories import UserFactory, login_with_mfa

from .helpers import full_answers, make_survey, q, staff, zone

pytestmark = pytest.mark.django_db


def _create(client, zone_value, slug="nueva-encuesta"):
    return client.post(
        "/admin/encuestas/nueva/",
        {
            "title": "Nueva encuesta",
            "slug": slug,
            "intro": "",
            "zone": zone_value,
            "identity": "anonymous",
            "limit": "account",
            "opens_at": "2026-01-01T08:00",
            "closes_at": "2026-02-01T08:00",
            "is_published": "on",
            "results_public": "on",
        },
    )


def test_zone_staff_create_a_survey_of_their_zone_only(client):
    here = zone()
    user = staff(here)
    login_with_mfa(client, user)
    assert client.get("/admin/encuestas/").status_code == 200
    assert _create(client, "ciudad").status_code == 400  # not the city-wide team
    other = type(here).objects.exclude(pk=here.pk).first()
    assert _create(client, str(other.pk)).status_code == 400
    answer = _create(client, str(here.pk))
    survey = Survey.objects.get(slug="nueva-encuesta")
    assert answer.status_code == 302 and survey.zone == here and survey.created_by == user
    assert ModelLogEntry.objects.filter(action="surveys.survey_save", object_id=survey.pk).exists()


def test_another_zones_survey_looks_missing(client):
    here = zone()
    other = type(here).objects.exclude(pk=here.pk).first()
    survey = make_survey(zone=other)
    login_with_mfa(client, staff(here))
    assert client.get(f"/admin/encuestas/{survey.pk}/").status_code == 404
    assert client.get(f"/admin/encuestas/{survey.pk}/preguntas/").status_code == 404
    assert survey.title not in client.get("/admin/encuestas/").content.decode()


def test_residents_are_kept_out(client):
    client.force_login(UserFactory())
    assert client.get("/admin/encuestas/").status_code in (302, 403)


def test_the_builder_adds_moves_and_deletes_questions(client):
    here = zone()
    survey = make_survey(zone=here, kinds=())
    login_with_mfa(client, staff(here))
    url = f"/admin/encuestas/{survey.pk}/preguntas/"
    assert client.get(url).status_code == 200
    assert client.get(f"/admin/encuestas/{survey.pk}/").status_code == 200
    assert client.get("/admin/encuestas/nueva/").status_code == 200
    bad = client.post(
        url, {"kind": "single", "text": "¿Color?", "choices": "Rojo", "required": "on"}
    )
    assert bad.status_code == 400 and not survey.questions.exists()
    ok = client.post(
        url, {"kind": "single", "text": "¿Color?", "choices": "Rojo\nAzul\n", "required": "on"}
    )
    assert ok.status_code == 302
    client.post(url, {"kind": "long", "text": "¿Algo más?"})
    first, second = survey.questions.order_by("position")
    edit = client.get(f"{url}{first.pk}/").content.decode()
    assert "Rojo\nAzul</textarea>" in edit
    assert list(first.choices.values_list("label", flat=True)) == ["Rojo", "Azul"]
    assert not second.required
    client.post(f"{url}{second.pk}/accion/", {"action": "up"})
    assert list(survey.questions.order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]
    client.post(f"{url}{second.pk}/accion/", {"action": "delete"})
    assert list(survey.questions.values_list("pk", flat=True)) == [first.pk]


def test_questions_are_frozen_once_answered_except_wording():
    here = zone()
    actor = staff(here)
    survey = make_survey(zone=here)
    services.submit(UserFactory(), survey, full_answers(survey))
    single = q(survey, "single")
    with pytest.raises(DomainError):
        services.question_save(actor=actor, survey=survey, kind="long", text="Nueva")
    with pytest.raises(DomainError):
        services.question_save(
            actor=actor,
            survey=survey,
            question=single,
            kind="multiple",
            text=single.text,
            choices=["Uno", "Dos", "Tres"],
        )
    with pytest.raises(DomainError):
        services.question_save(
            actor=actor,
            survey=survey,
            question=single,
            kind="single",
            text=single.text,
            choices=["Uno", "Dos", "Tres", "Cuatro"],
        )
    with pytest.raises(DomainError):
        services.question_delete(actor=actor, question=single)
    with pytest.raises(DomainError):
        services.survey_save(
            actor=actor,
            survey=survey,
            title=survey.title,
            slug=survey.slug,
            zone=here,
            opens_at=survey.opens_at,
            closes_at=survey.closes_at,
            identity=Survey.Identity.IDENTIFIED,
        )
    services.question_save(
        actor=actor,
        survey=survey,
        question=single,
        kind="single",
        text="Pregunta corregida",
        required=single.required,
        choices=["Uno", "Dos", "Trés"],
    )
    single.refresh_from_db()
    assert single.text == "Pregunta corregida"
    assert single.choices.last().label == "Trés"
    assert single.answers.count() == 1  # the answer still points at its choice
    entry = ModelLogEntry.objects.filter(action="surveys.question_save", object_id=single.pk).last()
    assert entry.data["choices"][0][-1] == "Tres"


def test_staff_services_require_the_rule():
    here = zone()
    survey = make_survey(zone=here)
    for actor in (UserFactory(), staff(here, mfa=False)):
        with pytest.raises(PermissionDenied):
            services.question_save(actor=actor, survey=survey, kind="long", text="x")
        with pytest.raises(PermissionDenied):
            services.survey_delete(actor=actor, survey=survey)
    assert Question.objects.filter(survey=survey).count() == 5


def test_survey_dates_and_slug_checked():
    actor = staff(None)
    survey = make_survey()
    with pytest.raises(DomainError):
        services.survey_save(
            actor=actor,
            title="T",
            slug=survey.slug,
            opens_at=survey.opens_at,
            closes_at=survey.closes_at,
        )
    with pytest.raises(DomainError):
        services.survey_save(
            actor=actor,
            title="T",
            slug="otra",
            opens_at=survey.closes_at,
            closes_at=survey.opens_at,
        )
