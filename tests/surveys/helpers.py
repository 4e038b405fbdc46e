"""Builders for the survey tests."""

import datetime
import itertools

from django.contrib.auth.models import Group
from django.utils import timezone

from quitodecide.mfa import mark_user
from surveys.models import Choice, Question, Survey
from territory.models import Zone
from territory.services import CITY_GROUP_NAME, zone_group_name
from tests.factories import UserFactory

_serial = itertools.count(1)


def zone(slug="eugenio-espejo"):
    return Zone.objects.filter(slug=slug).first() or Zone.objects.order_by("pk").first()


def staff(zone_=None, *, mfa=True, **kwargs):
    """Staff of `zone_` (None: the city-wide team), marked as having passed MFA."""
    user = UserFactory(**kwargs)
    name = CITY_GROUP_NAME if zone_ is None else zone_group_name(zone_)
    user.groups.add(Group.objects.get(name=name))
    mark_user(user, mfa)
    return user


def make_survey(*, kinds=("single", "multiple", "scale", "short", "long"), required=True, **kw):
    """A published survey, open now, with one question of each of `kinds` (choice questions
    get three options)."""
    now = timezone.now()
    defaults = {
        "title": f"Encuesta {next(_serial)}",
        "opens_at": now - datetime.timedelta(days=1),
        "closes_at": now + datetime.timedelta(days=7),
        "is_published": True,
        "zone": None,
    }
    defaults.update(kw)
    defaults.setdefault("slug", f"encuesta-{next(_serial)}")
    survey = Survey.objects.create(**defaults)
    for position, kind in enumerate(kinds, start=1):
        question = Question.objects.create(
            survey=survey, position=position, kind=kind, text=f"Pregunta {kind}", required=required
        )
        if kind in ("single", "multiple"):
            for n, label in enumerate(("Uno", "Dos", "Tres"), start=1):
                Choice.objects.create(question=question, position=n, label=label)
    return survey


def q(survey, kind) -> Question:
    return survey.questions.get(kind=kind)


def ids(question) -> list[int]:
    return list(question.choices.values_list("pk", flat=True))


def full_answers(survey, text="Una respuesta") -> dict:
    """A valid answer to every question of a make_survey survey."""
    data = {}
    for question in survey.questions.all():
        if question.kind == "single":
            data[question.pk] = ids(question)[0]
        elif question.kind == "multiple":
            data[question.pk] = ids(question)[:2]
        elif question.kind == "scale":
            data[question.pk] = 4
        else:
            data[question.pk] = text
    return data


def es(msgid: str) -> str:
    """`msgid` in the site's language (the catalogue the lead compiles)."""
    from django.utils import translation

    with translation.override("es-ec"):
        return translation.gettext(msgid)
