import datetime

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from quitodecide.errors import DomainError
from surveys import selectors, services
from surveys.invitations import make_token, read_token
from surveys.models import Question, Survey

pytestmark = pytest.mark.django_db


def _evaluation(slug="eval-1"):
    now = timezone.now()
    return services.create_evaluation_survey(
        "Taller de presupuestos",
        None,
        now - datetime.timedelta(hours=1),
        now + datetime.timedelta(days=7),
        slug,
    )


def test_the_standard_evaluation_survey():
    survey = _evaluation()
    assert survey.purpose == Survey.Purpose.EVALUATION
    assert survey.limit == Survey.Limit.PER_INVITATION
    assert survey.identity == Survey.Identity.ANONYMOUS
    assert survey.is_published and not survey.results_public
    assert "Taller de presupuestos" in survey.title
    kinds = list(survey.questions.values_list("kind", "required"))
    assert kinds == [
        ("scale", True),
        ("scale", True),
        ("scale", True),
        ("single", True),
        ("long", False),
    ]
    single = survey.questions.get(kind=Question.Kind.SINGLE)
    assert list(single.choices.values_list("label", flat=True)) == ["Sí", "No"]
    with translation.override("es-ec"):  # written in the site's language
        expected = gettext("Overall, how satisfied are you with the session?")
    assert survey.questions.first().text == expected


def test_slug_taken_or_dates_backwards_refused():
    _evaluation("eval-x")
    with pytest.raises(DomainError):
        _evaluation("eval-x")
    now = timezone.now()
    with pytest.raises(DomainError):
        services.create_evaluation_survey("T", None, now, now, "eval-y")


def test_scale_mean_over_all_scale_answers():
    survey = _evaluation()
    assert selectors.scale_mean(survey) is None
    scales = list(survey.questions.filter(kind="scale"))
    single = survey.questions.get(kind="single")
    yes = single.choices.first().pk
    for n, values in enumerate(((5, 4, 3), (1, 2, 3))):
        invitation = read_token(make_token(survey, f"training-registration:{n}", "Ana"))
        data = {q.pk: v for q, v in zip(scales, values, strict=True)} | {single.pk: yes}
        services.submit_invited(invitation, data)
    assert selectors.scale_mean(survey) == pytest.approx(3.0)
