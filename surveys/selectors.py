"""Reads of the survey engine: open surveys of a zone, the results per question."""

from django.db.models import Avg, Count, Q
from django.utils import timezone

from .models import Answer, Question, Survey


def scale_mean(survey) -> float | None:
    """The mean of every scale answer of `survey` (None when there is none)."""
    mean = Answer.objects.filter(
        response__survey=survey, question__kind=Question.Kind.SCALE, number__isnull=False
    ).aggregate(mean=Avg("number"))["mean"]
    return None if mean is None else float(mean)


def standalone():
    """Published standalone surveys anyone may find: not those answered by invitation only
    (their invitees get the link; they are not listed on /encuestas/ nor on zone pages)."""
    return Survey.objects.filter(is_published=True, purpose=Survey.Purpose.STANDALONE).exclude(
        limit=Survey.Limit.PER_INVITATION
    )


def open_surveys(now=None):
    now = now or timezone.now()
    return standalone().filter(opens_at__lte=now, closes_at__gt=now).select_related("zone")


def open_surveys_for_zone(zone, now=None) -> list[Survey]:
    """The standalone surveys open now on `zone`'s page (its own, then the city-wide ones)."""
    surveys = open_surveys(now).filter(Q(zone=zone) | Q(zone__isnull=True))
    return sorted(surveys, key=lambda s: (s.zone_id is None, s.closes_at))


def closed_with_public_results(now=None):
    now = now or timezone.now()
    return (
        standalone()
        .filter(closes_at__lte=now, results_public=True)
        .select_related("zone")
        .order_by("-closes_at")
    )


def response_count(survey) -> int:
    return survey.responses.count()


def results(survey) -> list[dict]:
    """Per question, in order: {"question", "kind", "rows": [(label, count)], "mean",
    "answered"}. Choice questions count each choice (a multiple choice counts every tick);
    scales count each value from 1 to 5 and give the mean; text questions give no rows
    (their texts are read with `text_answers`)."""
    out = []
    questions = survey.questions.prefetch_related("choices")
    for question in questions:
        answers = Answer.objects.filter(question=question, response__survey=survey)
        item = {
            "question": question,
            "kind": question.kind,
            "rows": [],
            "mean": None,
            "answered": answers.values("response").distinct().count(),
        }
        if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            counts = dict(
                answers.values_list("choice").annotate(n=Count("id")).values_list("choice", "n")
            )
            item["rows"] = [(c.label, counts.get(c.pk, 0)) for c in question.choices.all()]
        elif question.kind == Question.Kind.SCALE:
            counts = dict(
                answers.values_list("number").annotate(n=Count("id")).values_list("number", "n")
            )
            item["rows"] = [(str(n), counts.get(n, 0)) for n in range(1, 6)]
            mean = answers.aggregate(mean=Avg("number"))["mean"]
            item["mean"] = None if mean is None else round(float(mean), 2)
        out.append(item)
    return out


def text_answers(question):
    return (
        Answer.objects.filter(question=question)
        .exclude(text="")
        .order_by("response__submitted_at", "pk")
        .values_list("text", flat=True)
    )
