"""For tests/test_exports.py's EXERCISERS: "surveys.responses": exercise_surveys_responses,
"surveys.results": exercise_surveys_results."""

import datetime
import json

from django.utils import timezone

from surveys import services
from surveys.models import Answer, Choice, Question
from tests.factories import UserFactory, login_with_mfa

from .helpers import full_answers, make_survey, q, staff, zone


def _corpus_survey(**kwargs):
    """A survey whose question texts and option labels are the formula corpus."""
    from tests.test_exports import CORPUS

    survey = make_survey(kinds=("single", "short", "long", "scale"), required=False, **kwargs)
    single = q(survey, "single")
    single.choices.all().delete()
    for position, formula in enumerate(CORPUS, start=1):
        Choice.objects.create(question=single, position=position, label=formula)
    Question.objects.filter(pk=q(survey, "short").pk).update(text=CORPUS[0])
    Question.objects.filter(pk=q(survey, "long").pk).update(text=CORPUS[6])
    return survey


def exercise_surveys_responses(client):
    """Formulas typed as text answers, option labels and question texts run through the
    staff's CSV of responses (escaped; one row per response)."""
    from tests.test_exports import CORPUS, assert_corpus_escaped, assert_formula_safe, csv_cells

    survey = _corpus_survey(zone=zone())
    choices = list(q(survey, "single").choices.all())
    for index, formula in enumerate(CORPUS):
        data = full_answers(survey) | {q(survey, "single").pk: choices[index].pk}
        response = services.submit(UserFactory(), survey, data)
        # Stored as typed (the service trims whitespace, which would drop "\t=1+1").
        Answer.objects.filter(response=response, question__kind__in=("short", "long")).update(
            text=formula
        )
    login_with_mfa(client, staff(survey.zone))
    response = client.get(f"/encuestas/{survey.slug}/respuestas.csv")
    assert response.status_code == 200
    rows = csv_cells(response)
    assert len(rows) == len(CORPUS) + 1
    numeric = {rows[0][0], rows[0][-1]}  # the response number and the scale
    assert_formula_safe(rows, numeric_columns=numeric)
    assert_corpus_escaped(rows)
    return [response]


def exercise_surveys_results(client):
    """Formulas as option labels and question texts run through the public results (CSV
    escaped, JSON kept as typed)."""
    from tests.test_exports import CORPUS, assert_corpus_escaped, assert_formula_safe, csv_cells

    now = timezone.now()
    survey = _corpus_survey(zone=None)
    choices = list(q(survey, "single").choices.all())
    for choice in choices:
        services.submit(UserFactory(), survey, {q(survey, "single").pk: choice.pk})
    type(survey).objects.filter(pk=survey.pk).update(
        opens_at=now - datetime.timedelta(days=9), closes_at=now - datetime.timedelta(days=1)
    )
    csv_response = client.get(f"/encuestas/{survey.slug}/resultados/resultados.csv")
    json_response = client.get(f"/encuestas/{survey.slug}/resultados/resultados.json")
    assert csv_response.status_code == json_response.status_code == 200
    rows = csv_cells(csv_response)
    assert_formula_safe(rows, numeric_columns={"question", "answers", "mean"})
    assert_corpus_escaped(rows)
    data = json.loads(json_response.content)
    options = {row["option"] for row in data["results"]}
    assert set(CORPUS) <= options
    return [csv_response, json_response]
