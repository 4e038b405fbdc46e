"""Defects found by the review of the survey engine, each pinned by a test."""

import csv
import hashlib
import io
from html.parser import HTMLParser

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from quitodecide.errors import DomainError
from surveys import selectors, services, views
from surveys.forms import field_name
from surveys.invitations import make_token, read_token, revoke
from surveys.models import Answer, InvitationRecord, Question, Survey
from tests.factories import UserFactory, login_with_mfa

from .helpers import es, full_answers, ids, make_survey, q, staff, zone

pytestmark = pytest.mark.django_db


def _post_data(survey, answers):
    data = {}
    for pk, value in answers.items():
        data[f"q{pk}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


# 1. Relabelling the options of an answered question --------------------------------------
def _answered_single():
    here = zone()
    survey = make_survey(zone=here)
    single = q(survey, "single")
    services.submit(UserFactory(), survey, full_answers(survey))  # picks "Uno"
    return staff(here), survey, single


def _relabel(actor, survey, single, labels):
    services.question_save(
        actor=actor,
        survey=survey,
        question=single,
        kind="single",
        text=single.text,
        required=single.required,
        choices=labels,
    )


@pytest.mark.parametrize(
    "labels",
    [
        ["Tres", "Dos", "Uno"],  # a permutation
        ["Uno", "Tres", "Tres."],  # "Tres" where "Dos" was: another option's label
        ["Otra cosa", "Dos", "Tres"],  # not a correction
    ],
)
def test_answered_options_cannot_be_swapped_or_replaced(labels):
    actor, survey, single = _answered_single()
    with translation.override("en"), pytest.raises(DomainError) as caught:
        _relabel(actor, survey, single, labels)
    assert "This survey has responses" in caught.value.message
    assert list(single.choices.values_list("label", flat=True)) == ["Uno", "Dos", "Tres"]
    answer = Answer.objects.get(question=single)
    assert answer.choice.label == "Uno"


def test_yes_cannot_become_no_but_accents_may_be_fixed():
    here = zone()
    survey = make_survey(zone=here, kinds=("single",))
    single = q(survey, "single")
    actor = staff(here)
    _relabel(actor, survey, single, ["Si", "No", "Tal vez"])
    services.submit(UserFactory(), survey, {single.pk: ids(single)[0]})
    with pytest.raises(DomainError):
        _relabel(actor, survey, single, ["No", "Si", "Tal vez"])
    with pytest.raises(DomainError):
        _relabel(actor, survey, single, ["Nunca", "No", "Tal vez"])
    _relabel(actor, survey, single, ["Sí", "No", "Tal vez"])  # a typo fix
    _relabel(actor, survey, single, ["Sí", "No", "Talvez"])
    assert Answer.objects.get(question=single).choice.label == "Sí"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Muy satisfecho", "Muy insatisfecho"),
        ("Satisfecho", "Insatisfecho"),
        ("Recomendable", "No recomendable"),
        ("De acuerdo", "En desacuerdo"),
        ("Útil", "Inútil"),
        ("Uno", "Una"),
    ],
)
def test_a_label_cannot_turn_into_its_opposite_by_a_prefix(old, new):
    """Close in letters, opposite in meaning: every answer given would flip."""
    here = zone()
    survey = make_survey(zone=here, kinds=("single",))
    single = q(survey, "single")
    actor = staff(here)
    _relabel(actor, survey, single, [old, "Poco", "Nada"])
    services.submit(UserFactory(), survey, {single.pk: ids(single)[0]})
    with pytest.raises(DomainError):
        _relabel(actor, survey, single, [new, "Poco", "Nada"])
    assert Answer.objects.get(question=single).choice.label == old


def test_one_typo_may_be_fixed_in_an_answered_label():
    here = zone()
    survey = make_survey(zone=here, kinds=("single",))
    single = q(survey, "single")
    actor = staff(here)
    _relabel(actor, survey, single, ["Recomendabel", "Poco", "Nada"])
    services.submit(UserFactory(), survey, {single.pk: ids(single)[0]})
    _relabel(actor, survey, single, ["Recomendable", "Poco", "Nada."])
    assert Answer.objects.get(question=single).choice.label == "Recomendable"


def test_before_any_response_options_may_be_rewritten_freely():
    here = zone()
    survey = make_survey(zone=here)
    single = q(survey, "single")
    _relabel(staff(here), survey, single, ["Tres", "Dos", "Uno"])
    assert list(single.choices.values_list("label", flat=True)) == ["Tres", "Dos", "Uno"]


# 2. Server-side invitations --------------------------------------------------------------
def _invited(**kw):
    return make_survey(limit=Survey.Limit.PER_INVITATION, **kw)


def test_tokens_are_opaque_and_only_their_hash_is_stored():
    survey = _invited()
    token = make_token(survey, "training-registration:42", "Rosa Quishpe")
    assert "42" not in token and "Rosa" not in token and len(token) >= 32
    with pytest.raises(signing.BadSignature):
        signing.loads(token, salt="surveys.invitation")
    record = InvitationRecord.objects.get(survey=survey, key="training-registration:42")
    assert record.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(InvitationRecord.objects.values().get())
    invitation = read_token(token)
    assert (invitation.survey, invitation.key, invitation.name) == (
        survey,
        "training-registration:42",
        "Rosa Quishpe",
    )


def test_a_new_token_replaces_the_old_one_and_revoke_ends_it():
    survey = _invited()
    first = make_token(survey, "training-registration:1", "Ana")
    second = make_token(survey, "training-registration:1", "Ana")
    assert first != second
    assert read_token(first) is None and read_token(second) is not None
    assert InvitationRecord.objects.filter(survey=survey).count() == 1
    assert revoke(survey, "training-registration:1") is True
    assert read_token(second) is None
    assert revoke(survey, "training-registration:1") is False
    third = make_token(survey, "training-registration:1", "Ana")  # invited again
    assert read_token(third) is not None


def test_old_signed_tokens_no_longer_work():
    survey = _invited()
    old = signing.dumps(
        {"s": survey.pk, "k": "training-registration:1", "n": "Ana"},
        salt="surveys.invitation",
        compress=True,
    )
    assert read_token(old) is None


def test_the_form_posts_without_the_query_string(client):
    survey = _invited()
    token = make_token(survey, "training-registration:5", "Ana")
    page = client.get(f"/encuestas/{survey.slug}/", {"invitacion": token}).content.decode()
    assert f'action="/encuestas/{survey.slug}/"' in page
    form = page.split('class="survey-form"')[1].split("</form>")[0]
    assert form.count(token) == 1 and 'type="hidden" name="invitacion"' in form


def test_anonymous_surveys_keep_the_hour_only():
    survey = make_survey()
    response = services.submit(UserFactory(), survey, full_answers(survey))
    response.refresh_from_db()
    assert (response.submitted_at.minute, response.submitted_at.second) == (0, 0)
    assert response.submitted_at.microsecond == 0


# 3. Rate limits per invitation -----------------------------------------------------------
def test_a_venue_sharing_one_address_can_all_answer(client):
    survey = _invited()
    data = _post_data(survey, full_answers(survey))
    for n in range(int(views.SUBMIT_RATE.split("/")[0]) + 5):
        token = make_token(survey, f"training-registration:{n}")
        answer = client.post(f"/encuestas/{survey.slug}/", {**data, "invitacion": token})
        assert answer.status_code == 302, n
    assert survey.responses.count() == int(views.SUBMIT_RATE.split("/")[0]) + 5


def test_attempts_are_limited_per_invitation(client, monkeypatch):
    monkeypatch.setattr(views, "INVITATION_ATTEMPT_RATE", "3/h")
    survey = _invited()
    token = make_token(survey, "training-registration:1")
    bad = {field_name(q(survey, "scale")): "9", "invitacion": token}
    for _ in range(3):
        assert client.post(f"/encuestas/{survey.slug}/", bad).status_code == 400
    data = {**_post_data(survey, full_answers(survey)), "invitacion": token}
    refused = client.post(f"/encuestas/{survey.slug}/", data)
    assert refused.status_code == 400 and not survey.responses.exists()
    assert es("Too many attempts in a short time. Please try again later.") in (
        refused.content.decode()
    )
    other = make_token(survey, "training-registration:2")  # another invitee is not held up
    assert client.post(f"/encuestas/{survey.slug}/", {**data, "invitacion": other}).status_code == (
        302
    )


def test_a_per_address_cap_stays_for_invitations(client, monkeypatch):
    monkeypatch.setattr(views, "INVITATION_IP_RATE", "2/h")
    survey = _invited()
    data = _post_data(survey, full_answers(survey))
    codes = []
    for n in range(3):
        token = make_token(survey, f"training-registration:{n}")
        codes.append(client.post(f"/encuestas/{survey.slug}/", {**data, "invitacion": token}))
    assert [c.status_code for c in codes] == [302, 302, 400]


# 4. aria-describedby points at ids on the page -------------------------------------------
class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.described = set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if attrs.get("aria-describedby"):
            self.described.append((tag, attrs["aria-describedby"]))


@pytest.mark.parametrize("with_help", [True, False])
@pytest.mark.parametrize("with_errors", [True, False])
def test_every_aria_describedby_id_exists(client, with_help, with_errors):
    survey = make_survey()
    if with_help:
        survey.questions.update(help_text="Una ayuda")
    client.force_login(UserFactory())
    url = f"/encuestas/{survey.slug}/"
    if with_errors:
        page = client.post(url, {field_name(q(survey, "scale")): "9"})
        assert page.status_code == 400
    else:
        page = client.get(url)
    parser = _Ids()
    parser.feed(page.content.decode())
    assert bool(parser.described) == (with_help or with_errors)
    for tag, value in parser.described:
        for ref in value.split():
            assert ref in parser.ids, (tag, ref)
    kinds = {tag for tag, _value in parser.described}
    if with_help or with_errors:
        assert {"fieldset", "input", "textarea"} <= kinds


# 5. The responses CSV of an anonymous survey -------------------------------------------
def test_anonymous_csv_rows_follow_the_keys_not_the_time(client):
    survey = make_survey(zone=zone(), kinds=("short",))
    question = q(survey, "short")
    for n in range(6):
        services.submit(UserFactory(), survey, {question.pk: f"respuesta {n}"})
    login_with_mfa(client, staff(survey.zone))
    body = client.get(f"/encuestas/{survey.slug}/respuestas.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))[1:]
    assert {len(row[1]) for row in rows} == {10}  # "2026-12-02": the date only
    texts = [row[-1] for row in rows]
    expected = list(
        Answer.objects.filter(question=question)
        .order_by("response__respondent_key")
        .values_list("text", flat=True)
    )
    assert texts == expected


# 6. Queries ------------------------------------------------------------------------------
def _results_queries(client, survey):
    client.get(f"/encuestas/{survey.slug}/resultados/")  # warm the session up
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/encuestas/{survey.slug}/resultados/").status_code == 200
    return len(queries)


def test_results_queries_do_not_grow_with_responses(client):
    survey = make_survey(zone=zone())
    login_with_mfa(client, staff(survey.zone))
    services.submit(UserFactory(), survey, full_answers(survey))
    few = _results_queries(client, survey)
    for _ in range(5):
        services.submit(UserFactory(), survey, full_answers(survey))
    assert _results_queries(client, survey) == few


def test_results_are_computed_once(client, monkeypatch):
    survey = make_survey(zone=zone())
    services.submit(UserFactory(), survey, full_answers(survey))
    calls = []
    real = selectors.results
    monkeypatch.setattr(selectors, "results", lambda s: calls.append(s) or real(s))
    login_with_mfa(client, staff(survey.zone))
    page = client.get(f"/encuestas/{survey.slug}/resultados/")
    assert page.status_code == 200 and len(calls) == 1
    assert page.content.decode().count("<svg") >= 3  # single, multiple and scale charts


def test_admin_index_queries_do_not_grow_with_surveys(client):
    here = zone()
    login_with_mfa(client, staff(here))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/admin/encuestas/").status_code == 200
        return len(queries)

    make_survey(zone=here)
    before = count()
    for _ in range(3):
        survey = make_survey(zone=here)
        services.submit(UserFactory(), survey, full_answers(survey))
    assert count() == before


# 7. Empty answers, invitation-only surveys off the lists ---------------------------------
def test_an_empty_answer_is_refused(client):
    survey = make_survey(required=False)
    with pytest.raises(services.AnswersInvalid) as caught:
        services.submit(UserFactory(), survey, {})
    assert caught.value.errors == {None: es("Answer at least one question.")}
    client.force_login(UserFactory())
    page = client.post(f"/encuestas/{survey.slug}/", {})
    assert page.status_code == 400
    assert es("Answer at least one question.") in page.content.decode()
    assert not survey.responses.exists()


def test_invitation_only_surveys_are_not_listed(client):
    here = zone()
    listed = make_survey(title="Abierta a todos", zone=here)
    hidden = _invited(title="Solo por invitación", zone=here)
    hidden_city = _invited(title="Solo por invitación en la ciudad")
    page = client.get("/encuestas/").content.decode()
    assert listed.title in page and hidden.title not in page and hidden_city.title not in page
    on_zone = selectors.open_surveys_for_zone(here)
    assert listed in on_zone and hidden not in on_zone and hidden_city not in on_zone
    Survey.objects.filter(pk__in=[hidden.pk, hidden_city.pk]).update(
        opens_at=listed.opens_at.replace(year=2020), closes_at=listed.opens_at.replace(year=2021)
    )
    assert hidden not in selectors.closed_with_public_results()
    assert Question.objects.filter(survey=hidden).exists()
