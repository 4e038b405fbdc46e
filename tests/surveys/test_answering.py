"""Answering: validation of each kind, one answer per person or invitation, identity."""

import contextlib
import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quitodecide.errors import DomainError, PermissionDenied
from surveys import services
from surveys.invitations import make_token, read_token, respondent_key
from surveys.models import Answer, Response, Survey
from tests.factories import UserFactory

from .helpers import es, full_answers, ids, make_survey, q

pytestmark = pytest.mark.django_db


def _errors(survey, data):
    with pytest.raises(services.AnswersInvalid) as caught:
        services.submit(UserFactory(), survey, data)
    return caught.value.errors


def test_a_full_valid_answer_is_stored():
    survey = make_survey()
    user = UserFactory()
    response = services.submit(user, survey, full_answers(survey))
    assert response.answers.count() == 6  # the multiple choice has two rows
    multiple = q(survey, "multiple")
    assert set(response.answers.filter(question=multiple).values_list("choice", flat=True)) == set(
        ids(multiple)[:2]
    )
    assert response.answers.get(question=q(survey, "scale")).number == 4


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("single", 999999),
        ("single", [1]),
        ("single", "abc"),
        ("multiple", [999999]),
        ("multiple", {"a": 1}),
        ("scale", 0),
        ("scale", 6),
        ("scale", "3.5"),
        ("scale", True),
        ("short", "x" * 301),
        ("short", 42),
        ("long", "x" * 5001),
        ("long", ["text"]),
    ],
)
def test_each_kind_refuses_bad_values(kind, value):
    survey = make_survey()
    data = full_answers(survey) | {q(survey, kind).pk: value}
    assert q(survey, kind).pk in _errors(survey, data)
    assert not Response.objects.filter(survey=survey).exists()


def test_choices_of_another_question_are_refused():
    survey = make_survey()
    other = make_survey()
    data = full_answers(survey) | {q(survey, "single").pk: ids(q(other, "single"))[0]}
    assert q(survey, "single").pk in _errors(survey, data)
    data = full_answers(survey) | {q(survey, "multiple").pk: ids(q(other, "multiple"))[:1]}
    assert q(survey, "multiple").pk in _errors(survey, data)


def test_multiple_refuses_duplicates():
    survey = make_survey()
    first = ids(q(survey, "multiple"))[0]
    data = full_answers(survey) | {q(survey, "multiple").pk: [first, first]}
    message = _errors(survey, data)[q(survey, "multiple").pk]
    assert message == es("Each option can be ticked only once.")


def test_text_limits_are_inclusive():
    survey = make_survey()
    data = full_answers(survey) | {
        q(survey, "short").pk: "a" * 300,
        q(survey, "long").pk: "b" * 5000,
    }
    services.submit(UserFactory(), survey, data)


def test_required_and_optional_questions():
    survey = make_survey()
    errors = _errors(survey, {})
    assert set(errors) == set(survey.questions.values_list("pk", flat=True))
    assert set(errors.values()) == {es("This question is required.")}
    optional = make_survey(required=False)
    response = services.submit(UserFactory(), optional, {q(optional, "scale").pk: 3})
    assert response.answers.count() == 1


def test_unknown_question_ids_are_refused():
    survey = make_survey()
    other = make_survey()
    for key in (other.questions.first().pk, "nope", -1):
        assert None in _errors(survey, full_answers(survey) | {key: "x"})


def test_one_answer_per_account():
    survey = make_survey()
    user = UserFactory()
    services.submit(user, survey, full_answers(survey))
    with pytest.raises(DomainError) as caught:
        services.submit(user, survey, full_answers(survey))
    assert caught.value.message == services.already_answered_message()
    assert Response.objects.filter(survey=survey).count() == 1


def test_the_race_is_settled_by_the_constraint(monkeypatch):
    """A second submit that passed the existence check still gets the clear message."""
    survey = make_survey()
    user = UserFactory()
    services.submit(user, survey, full_answers(survey))
    monkeypatch.setattr(
        Response.objects, "filter", lambda **kw: Response.objects.none(), raising=False
    )
    with pytest.raises(DomainError) as caught:
        services.submit(user, survey, full_answers(survey))
    assert caught.value.message == services.already_answered_message()


def test_anonymous_survey_keeps_no_respondent_and_the_key_is_not_the_user_id():
    survey = make_survey(identity=Survey.Identity.ANONYMOUS)
    user = UserFactory()
    response = services.submit(user, survey, full_answers(survey))
    assert response.respondent is None and response.respondent_name == ""
    assert response.respondent_key.startswith("h:") and len(response.respondent_key) == 66
    assert response.respondent_key != f"user:{user.pk}"
    assert f"user:{user.pk}" not in response.respondent_key
    assert response.respondent_key == respondent_key(survey, f"user:{user.pk}")


def test_identified_survey_keeps_the_account():
    survey = make_survey(identity=Survey.Identity.IDENTIFIED)
    user = UserFactory()
    response = services.submit(user, survey, full_answers(survey))
    assert response.respondent == user
    assert response.respondent_key == f"user:{user.pk}"


def _invited_survey(**kw):
    return make_survey(limit=Survey.Limit.PER_INVITATION, **kw)


def test_one_answer_per_invitation_and_identified_names():
    survey = _invited_survey(identity=Survey.Identity.IDENTIFIED)
    invitation = read_token(make_token(survey, "training-registration:7", "Rosa Quishpe"))
    response = services.submit_invited(invitation, full_answers(survey))
    assert response.respondent_name == "Rosa Quishpe" and response.respondent is None
    with pytest.raises(DomainError):
        services.submit_invited(invitation, full_answers(survey))
    other = read_token(make_token(survey, "training-registration:8", "Luis"))
    services.submit_invited(other, full_answers(survey))
    assert survey.responses.count() == 2


def test_anonymous_invitation_keeps_no_name():
    survey = _invited_survey()
    invitation = read_token(make_token(survey, "training-registration:7", "Rosa Quishpe"))
    response = services.submit_invited(invitation, full_answers(survey))
    assert response.respondent_name == "" and response.respondent_key.startswith("h:")


def test_an_invitation_survey_refuses_accounts():
    survey = _invited_survey()
    with pytest.raises(PermissionDenied):
        services.submit(UserFactory(), survey, full_answers(survey))


def test_forged_or_tampered_tokens_are_refused():
    survey = _invited_survey()
    account_survey = make_survey()
    token = make_token(survey, "training-registration:1", "Ana")
    assert read_token(token) is not None
    assert read_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB")) is None
    assert read_token("x" + token) is None
    assert read_token(make_token(account_survey, "k", "Ana")) is None  # not by invitation
    from django.core import signing

    forged = signing.dumps({"s": survey.pk, "k": "x"}, salt="another", compress=True)
    assert read_token(forged) is None


@pytest.mark.parametrize("when", ["upcoming", "closed", "unpublished"])
def test_dates_refuse_answers(when):
    now = timezone.now()
    day = datetime.timedelta(days=1)
    kwargs = {
        "upcoming": {"opens_at": now + day, "closes_at": now + 2 * day},
        "closed": {"opens_at": now - 2 * day, "closes_at": now - day},
        "unpublished": {"is_published": False},
    }[when]
    survey = make_survey(**kwargs)
    with pytest.raises(PermissionDenied):
        services.submit(UserFactory(), survey, full_answers(survey))
    invited = _invited_survey(**kwargs)
    invitation = read_token(make_token(invited, "training-registration:1"))
    with pytest.raises(PermissionDenied):
        services.submit_invited(invitation, full_answers(invited))
    assert not Answer.objects.exists()


def test_unverified_email_or_anonymous_user_refused():
    from django.contrib.auth.models import AnonymousUser

    survey = make_survey()
    with pytest.raises(PermissionDenied):
        services.submit(UserFactory(verified_email=False), survey, full_answers(survey))
    with pytest.raises(PermissionDenied):
        services.submit(AnonymousUser(), survey, full_answers(survey))


scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_hostile_answers_never_raise_anything_but_the_domain_error(data):
    survey = make_survey()
    keys = list(survey.questions.values_list("pk", flat=True))
    key = st.sampled_from(keys) | st.sampled_from([str(k) for k in keys]) | scalars
    answers = data.draw(
        st.dictionaries(
            key, values | st.sampled_from([*range(0, 7), *ids(q(survey, "single"))]), max_size=8
        )
        | values
    )
    with contextlib.suppress(DomainError):
        services.submit(UserFactory(), survey, answers)
