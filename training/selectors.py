"""Reads of training for indicators and pages."""

from collections import defaultdict

from django.db.models import Avg, Count, Q
from django.utils import timezone

from .models import Registration, TrainingSession


def indicator_rows(now=None) -> list[dict]:
    """Per zone and year (the plan's year), of published plans:

    {"zone": zone slug, "zone_name": str, "year": int,
     "sessions": sessions held (not cancelled, started by now),
     "registrations": registrations not cancelled (of any session, held or upcoming),
     "attended": registrations marked attended,
     "evaluation_mean": mean of the 1-5 scale answers of those sessions' evaluation
                        surveys (float rounded to 2 decimals), or None without answers,
     "evaluation_answers": how many scale answers the mean is of}

    Sorted by zone slug, then year. Zones or years without any session do not appear."""
    from surveys.models import Answer, Question

    now = now or timezone.now()
    rows: dict[tuple, dict] = {}

    def row(slug, name, year):
        return rows.setdefault(
            (slug, year),
            {
                "zone": slug,
                "zone_name": name,
                "year": year,
                "sessions": 0,
                "registrations": 0,
                "attended": 0,
                "evaluation_mean": None,
                "evaluation_answers": 0,
            },
        )

    sessions = TrainingSession.objects.filter(plan__is_published=True)
    for item in sessions.values("plan__zone__slug", "plan__zone__name", "plan__year").annotate(
        held=Count(
            "pk",
            filter=Q(starts_at__lte=now) & ~Q(status=TrainingSession.Status.CANCELLED),
        )
    ):
        row(item["plan__zone__slug"], item["plan__zone__name"], item["plan__year"])["sessions"] = (
            item["held"]
        )
    registrations = Registration.objects.filter(session__plan__is_published=True).exclude(
        status=Registration.Status.CANCELLED
    )
    for item in registrations.values(
        "session__plan__zone__slug", "session__plan__zone__name", "session__plan__year"
    ).annotate(total=Count("pk"), attended=Count("pk", filter=Q(attended=True))):
        target = row(
            item["session__plan__zone__slug"],
            item["session__plan__zone__name"],
            item["session__plan__year"],
        )
        target["registrations"] = item["total"]
        target["attended"] = item["attended"]
    scores = defaultdict(lambda: [0.0, 0])
    answers = Answer.objects.filter(
        question__kind=Question.Kind.SCALE,
        number__isnull=False,
        question__survey__training_session__plan__is_published=True,
    )
    for item in answers.values(
        "question__survey__training_session__plan__zone__slug",
        "question__survey__training_session__plan__zone__name",
        "question__survey__training_session__plan__year",
    ).annotate(mean=Avg("number"), count=Count("pk")):
        key = (
            item["question__survey__training_session__plan__zone__slug"],
            item["question__survey__training_session__plan__zone__name"],
            item["question__survey__training_session__plan__year"],
        )
        scores[key][0] += float(item["mean"]) * item["count"]
        scores[key][1] += item["count"]
    for (slug, name, year), (total, count) in scores.items():
        if count:
            target = row(slug, name, year)
            target["evaluation_mean"] = round(total / count, 2)
            target["evaluation_answers"] = count
    return [rows[key] for key in sorted(rows)]
