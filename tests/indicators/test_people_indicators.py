"""The people of the participation system as indicators: social actors mapped, training
sessions held, their registrations, attendance and evaluation score. A small story with
known numbers in zones A (Eloy Alfaro) and B (Calderón), in 2022 and 2023; every expected
value is worked out beside it."""

import csv
import datetime
import io
import itertools
import json

import pytest
from django.utils import timezone

from actors.models import Actor
from indicators import cache
from indicators import definitions as d
from indicators.compute import compute
from quitodecide import exports
from surveys.models import Answer, Question, Response, Survey
from territory.models import Zone
from tests.budgets.builders import parish
from training.models import Registration, TrainingPlan, TrainingSession

from .builders import A, B

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)


def local(year, month, day, hour=10, minute=0):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def actor(zone, kind, year, *, active=True):
    n = next(_serial)
    return Actor.objects.create(
        name=f"Actor {n}",
        kind=kind,
        zone=Zone.objects.get(slug=zone),
        parish=parish(zone, 0),
        legal_status=Actor.LegalStatus.DE_FACTO,
        year_mapped=year,
        source=Actor.Source.ZONAL,
        is_active=active,
    )


def plan(zone):
    n = next(_serial)
    return TrainingPlan.objects.create(
        zone=Zone.objects.get(slug=zone), year=2022, title=f"Plan {n}", slug=f"plan-{n}"
    )


def session(training_plan, starts_at, *, cancelled=False, evaluation=False):
    n = next(_serial)
    survey = None
    if evaluation:
        survey = Survey.objects.create(
            title=f"Evaluación {n}",
            slug=f"evaluacion-{n}",
            purpose=Survey.Purpose.EVALUATION,
            limit=Survey.Limit.PER_INVITATION,
            opens_at=starts_at,
            closes_at=starts_at + datetime.timedelta(days=15),
            is_published=True,
        )
    return TrainingSession.objects.create(
        plan=training_plan,
        title=f"Sesión {n}",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=2),
        place="Casa comunal",
        capacity=30,
        facilitator="Facilitadora",
        status=TrainingSession.Status.CANCELLED if cancelled else TrainingSession.Status.SCHEDULED,
        evaluation=survey,
    )


def register(training_session, status=Registration.Status.CONFIRMED, *, attended=False):
    n = next(_serial)
    return Registration.objects.create(
        session=training_session,
        name=f"Persona {n}",
        email=f"persona{n}@example.org",
        status=status,
        token_hash=f"{n:064d}",
        attended=attended,
        attendance_marked_at=timezone.now() if attended else None,
    )


def scale_questions(survey, count=2):
    questions = [
        Question.objects.create(
            survey=survey, position=i, kind=Question.Kind.SCALE, text=f"Pregunta {i}"
        )
        for i in range(count)
    ]
    text = Question.objects.create(
        survey=survey, position=count, kind=Question.Kind.LONG, text="Comentarios", required=False
    )
    return questions, text


def answer(survey, questions, numbers, *, text_question=None):
    response = Response.objects.create(survey=survey, respondent_key=f"clave-{next(_serial)}")
    for question, number in zip(questions, numbers, strict=True):
        Answer.objects.create(response=response, question=question, number=number)
    if text_question is not None:
        Answer.objects.create(response=response, question=text_question, text="Muy útil")
    return response


def build_people() -> dict:
    # Actors: the inactive one is not counted.
    actor(A, Actor.Kind.BARRIO_COMMITTEE, 2022)
    actor(A, Actor.Kind.BARRIO_COMMITTEE, 2022)
    actor(A, Actor.Kind.BARRIO_COMMITTEE, 2022, active=False)
    actor(A, Actor.Kind.CABILDO, 2023)
    actor(B, Actor.Kind.ACADEMIA, 2022)

    plan_a, plan_b = plan(A), plan(B)
    s1 = session(plan_a, local(2022, 5, 10), evaluation=True)
    for _ in range(2):
        register(s1, attended=True)
    register(s1)
    register(s1, Registration.Status.WAITLISTED)  # no place: not counted
    register(s1, Registration.Status.CANCELLED)  # not counted
    s2 = session(plan_a, local(2023, 3, 1))
    register(s2, attended=True)
    s3 = session(plan_a, local(2023, 6, 1), cancelled=True, evaluation=True)  # not held
    register(s3)
    register(s3)
    future = session(plan_a, timezone.now() + datetime.timedelta(days=400))  # not held yet
    register(future)
    # New Year's Eve in Quito (already 2023 in UTC): a 2022 session.
    s5 = session(plan_b, local(2022, 12, 31, 23, 30), evaluation=True)
    register(s5)
    register(s5)

    # Evaluations: the scale answers of the sessions held; text answers, the cancelled
    # session's and a standalone survey's are not counted.
    questions, text = scale_questions(s1.evaluation)
    answer(s1.evaluation, questions, [5, 4], text_question=text)
    answer(s1.evaluation, questions, [3, 2])
    questions, _text = scale_questions(s5.evaluation, count=1)
    answer(s5.evaluation, questions, [1])
    questions, _text = scale_questions(s3.evaluation, count=1)
    answer(s3.evaluation, questions, [1])
    standalone = Survey.objects.create(
        title="Encuesta de la zona",
        slug="encuesta-zona",
        zone=Zone.objects.get(slug=A),
        opens_at=local(2022, 1, 1),
        closes_at=local(2022, 2, 1),
        is_published=True,
    )
    questions, _text = scale_questions(standalone, count=1)
    answer(standalone, questions, [1])
    return {"s1": s1, "s2": s2, "s5": s5, "future": future}


@pytest.fixture
def people(territory):
    return build_people()


def value(rows, indicator, year, *, zone=None, category=None):
    found = [
        row["value"]
        for row in rows
        if row["indicator"] == indicator
        and row["year"] == year
        and row["zone"] == zone
        and row["parish"] is None
        and row["category"] == category
    ]
    assert len(found) <= 1, found
    return found[0] if found else None


BARRIO, CABILDO, ACADEMIA = "comite_barrial", "cabildo", "academia"

EXPECTED = {
    (d.ACTORS, BARRIO, A, 2022): 2,  # the inactive one left out
    (d.ACTORS, BARRIO, B, 2022): 0,
    (d.ACTORS, BARRIO, None, 2022): 2,
    (d.ACTORS, ACADEMIA, B, 2022): 1,
    (d.ACTORS, ACADEMIA, None, 2022): 1,
    (d.ACTORS, CABILDO, A, 2023): 1,
    (d.ACTORS, CABILDO, A, 2022): 0,
    (d.ACTORS, CABILDO, None, 2023): 1,
    (d.ACTORS, BARRIO, None, 2023): 0,
    (d.SESSIONS, None, A, 2022): 1,  # s1
    (d.SESSIONS, None, A, 2023): 1,  # s2; the cancelled s3 and the future one not
    (d.SESSIONS, None, B, 2022): 1,  # s5, New Year's Eve in Quito
    (d.SESSIONS, None, B, 2023): 0,
    (d.SESSIONS, None, None, 2022): 2,
    (d.SESSIONS, None, None, 2023): 1,
    (d.REGISTRATIONS, None, A, 2022): 3,  # confirmed only
    (d.REGISTRATIONS, None, A, 2023): 1,  # the cancelled session's two not
    (d.REGISTRATIONS, None, B, 2022): 2,
    (d.REGISTRATIONS, None, B, 2023): 0,
    (d.REGISTRATIONS, None, None, 2022): 5,
    (d.REGISTRATIONS, None, None, 2023): 1,
    (d.TRAINING_ATTENDANCE, None, A, 2022): 2,
    (d.TRAINING_ATTENDANCE, None, A, 2023): 1,
    (d.TRAINING_ATTENDANCE, None, B, 2022): 0,
    (d.TRAINING_ATTENDANCE, None, None, 2022): 2,
    (d.TRAINING_ATTENDANCE, None, None, 2023): 1,
    (d.EVALUATION, None, A, 2022): 3.5,  # (5 + 4 + 3 + 2) / 4
    (d.EVALUATION, None, B, 2022): 1.0,
    (d.EVALUATION, None, None, 2022): 3.0,  # (5 + 4 + 3 + 2 + 1) / 5: not the zones' mean
    (d.EVALUATION, None, A, 2023): None,  # no answers: no value, not zero
    (d.EVALUATION, None, B, 2023): None,
    (d.EVALUATION, None, None, 2023): None,
}


def test_every_expected_value(people):
    rows = compute()["rows"]
    got = {key: value(rows, key[0], key[3], zone=key[2], category=key[1]) for key in EXPECTED}
    assert got == EXPECTED


def test_years_come_from_the_data_not_from_upcoming_sessions(people):
    # The future session (and its registration) adds no year: the page's latest year stays
    # the latest year with figures.
    assert compute()["years"] == [2022, 2023]


def test_counts_are_zero_filled_for_every_zone_kind_and_year(people):
    rows = compute()["rows"]
    zones = list(Zone.objects.values_list("slug", flat=True))
    assert len(zones) > 2
    for zone in [None, *zones]:
        for year in (2022, 2023):
            for indicator in (d.SESSIONS, d.REGISTRATIONS, d.TRAINING_ATTENDANCE):
                assert value(rows, indicator, year, zone=zone) is not None, (indicator, zone)
            for kind in Actor.Kind.values:
                assert value(rows, d.ACTORS, year, zone=zone, category=kind) is not None
    other = next(zone for zone in zones if zone not in (A, B))
    assert value(rows, d.SESSIONS, 2022, zone=other) == 0
    assert value(rows, d.ACTORS, 2022, zone=other, category=BARRIO) == 0
    # The average is not zero-filled: only where someone answered.
    evaluation = {(row["zone"], row["year"]) for row in rows if row["indicator"] == d.EVALUATION}
    assert evaluation == {(A, 2022), (B, 2022), (None, 2022)}
    units = {row["indicator"]: row["unit"] for row in rows}
    assert units[d.ACTORS] == "actors" and units[d.SESSIONS] == "sessions"
    assert units[d.REGISTRATIONS] == "registrations"
    assert units[d.TRAINING_ATTENDANCE] == "attendees" and units[d.EVALUATION] == "score_1_5"
    for unit in {indicator.unit for indicator in d.INDICATORS}:
        assert unit in d.UNIT_LABELS


def test_a_fixed_number_of_queries_whatever_the_people_data(territory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as empty:
        compute()
    build_people()
    with CaptureQueriesContext(connection) as full:
        compute()
    assert len(full.captured_queries) == len(empty.captured_queries)


def test_modified_includes_actors_registrations_and_evaluations(territory):
    assert compute()["modified"] is None
    item = actor(A, Actor.Kind.CABILDO, 2024)
    assert compute()["modified"] == Actor.objects.get(pk=item.pk).updated_at
    training_session = session(plan(A), local(2023, 3, 1))
    registration = register(training_session)
    later = timezone.now() + datetime.timedelta(days=1)
    Registration.objects.filter(pk=registration.pk).update(attendance_marked_at=later)
    assert compute()["modified"] == later


def test_a_new_registration_changes_the_cached_figures(people):
    before = cache.payload()
    assert value(before["rows"], d.REGISTRATIONS, 2023, zone=A) == 1
    register(people["s2"])
    after = cache.payload()["rows"]
    assert value(after, d.REGISTRATIONS, 2023, zone=A) == 2
    assert value(after, d.REGISTRATIONS, 2023) == 2


def test_every_people_model_bumps_the_version(people):
    registration = Registration.objects.filter(session=people["s2"]).get()
    writes = [
        lambda: actor(B, Actor.Kind.CABILDO, 2023),
        lambda: Actor.objects.filter(kind=Actor.Kind.CABILDO).first().delete(),
        lambda: TrainingSession.objects.get(pk=people["s2"].pk).save(),
        lambda: Registration.objects.get(pk=registration.pk).save(),
        lambda: Response.objects.first().save(),
        lambda: Answer.objects.first().save(),
        lambda: Answer.objects.last().delete(),
    ]
    for write in writes:
        version = cache.version()
        write()
        assert cache.version() > version


def test_answers_written_in_bulk_refresh_once_the_response_commits(
    people, django_capture_on_commit_callbacks
):
    """The surveys service bulk-creates the answers after saving the response: the version is
    bumped again when that transaction commits, so a read in between caches nothing stale."""
    survey = people["s5"].evaluation
    question = survey.questions.get(kind=Question.Kind.SCALE)
    assert value(cache.payload()["rows"], d.EVALUATION, 2022, zone=B) == 1.0
    with django_capture_on_commit_callbacks(execute=True):
        response = Response.objects.create(survey=survey, respondent_key="en-bloque")
        assert value(cache.payload()["rows"], d.EVALUATION, 2022, zone=B) == 1.0  # read between
        Answer.objects.bulk_create([Answer(response=response, question=question, number=5)])
    assert value(cache.payload()["rows"], d.EVALUATION, 2022, zone=B) == 3.0  # (1 + 5) / 2


def test_the_page_shows_training_and_actors(client, people):
    from bs4 import BeautifulSoup

    response = client.get("/indicadores/", {"zona": A, "anio": "2023"})
    assert response.status_code == 200
    document = BeautifulSoup(response.content.decode(), "html.parser")
    comparison = {
        (tr["data-indicator"], tr["data-category"]): [
            td.get_text(strip=True) for td in tr.find_all("td")
        ]
        for tr in document.find(id="comparison").tbody.find_all("tr")
    }
    assert comparison[(d.SESSIONS, "")] == ["1", "1", "0"]
    assert comparison[(d.REGISTRATIONS, "")] == ["3", "1", "−2"]
    assert comparison[(d.ACTORS, BARRIO)] == ["2", "0", "−2"]
    assert comparison[(d.ACTORS, CABILDO)] == ["0", "1", "+1"]
    assert comparison[(d.EVALUATION, "")] == ["3,50", "—", "—"]
    section = document.find(id="people")
    assert section.find(id="chart-actors") and section.find(id="chart-training")
    assert "3,50" in section.find(id="evaluation-score").get_text()
    # The actor kinds are named, not coded.
    label = str(Actor.Kind.CABILDO.label)
    assert label in section.get_text()


def test_the_dataset_carries_the_new_indicators(client, people):
    response = client.get("/indicadores/datos.csv")
    assert response.status_code == 200
    text = response.content.decode("utf-8").removeprefix(exports.BOM)
    rows = list(csv.DictReader(io.StringIO(text)))

    def pick(indicator, zone, year, category=""):
        found = [
            r
            for r in rows
            if r["indicator"] == indicator
            and r["zone"] == zone
            and r["year"] == year
            and r["category"] == category
            and r["parish"] == ""
        ]
        assert len(found) == 1, found
        return found[0]

    assert pick(d.SESSIONS, "", "2022")["value"] == "2"
    assert pick(d.TRAINING_ATTENDANCE, A, "2022")["value"] == "2"
    assert pick(d.EVALUATION, "", "2022")["value"] == "3.0"
    barrio = pick(d.ACTORS, A, "2022", BARRIO)
    assert barrio["value"] == "2" and barrio["unit"] == "actors"
    assert barrio["category_name"] and barrio["category_name"] != BARRIO

    data = json.loads(client.get("/indicadores/datos.json").content)
    slugs = [sheet["slug"] for sheet in data["methodologies"]]
    for slug in (d.ACTORS, d.SESSIONS, d.REGISTRATIONS, d.TRAINING_ATTENDANCE, d.EVALUATION):
        assert slug in slugs
    registrations = [
        v
        for v in data["values"]
        if v["indicator"] == d.REGISTRATIONS and v["zone"] == B and v["year"] == 2022
    ]
    assert [v["value"] for v in registrations] == [2]
    sheet = json.loads(client.get(f"/indicadores/{d.EVALUATION}.json").content)
    assert sheet["methodology"]["unit"] == "score_1_5"
    assert {(v["zone"], v["value"]) for v in sheet["values"]} == {(None, 3.0), (A, 3.5), (B, 1.0)}
