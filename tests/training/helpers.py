"""Training fixtures: a plan, sessions and zone staff."""

import datetime
import itertools

from django.contrib.auth.models import Group
from django.utils import timezone

from quitodecide.mfa import mark_user
from territory.models import Parish, Zone
from territory.services import zone_group_name
from tests.factories import UserFactory
from training.models import Module, TrainingPlan, TrainingSession

_serial = itertools.count(1)


def zone(slug="calderon"):
    return Zone.objects.get(slug=slug)


def parish(slug="calderon"):
    return Parish.objects.filter(zone__slug=slug).order_by("name").first()


def staff(slug="calderon", mfa=True):
    user = UserFactory()
    user.groups.add(Group.objects.get(name=zone_group_name(zone(slug))))
    mark_user(user, mfa)
    return user


def make_plan(slug="calderon", **extra):
    n = next(_serial)
    values = {
        "zone": zone(slug),
        "year": 2026,
        "title": f"Plan de formación {n}",
        "slug": f"plan-{slug}-{n}",
    }
    values.update(extra)
    return TrainingPlan.objects.create(**values)


def make_module(plan, position=1, **extra):
    return Module.objects.create(
        plan=plan, position=position, title=extra.pop("title", f"Módulo {position}"), **extra
    )


def make_session(plan=None, *, days=7, capacity=3, **extra):
    plan = plan or make_plan()
    starts = extra.pop("starts_at", timezone.now() + datetime.timedelta(days=days))
    values = {
        "plan": plan,
        "title": "Presupuestos participativos: ¿cómo se priorizan las obras?",
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=2),
        "place": "Casa barrial de Carapungo",
        "capacity": capacity,
        "facilitator": "Ing. María Tapia",
        "partner": "Universidad Central del Ecuador",
    }
    values.update(extra)
    return TrainingSession.objects.create(**values)


def held(session, hours_ago=3):
    """Move a session into the past (held)."""
    starts = timezone.now() - datetime.timedelta(hours=hours_ago)
    TrainingSession.objects.filter(pk=session.pk).update(
        starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )
    session.refresh_from_db()
    return session
