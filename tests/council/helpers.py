"""Builders for the council tests."""

import datetime
import itertools

from django.utils import timezone

from council import services
from council.groups import ensure_secretariat_group
from council.models import Commission, CouncilSession
from quitodecide.mfa import mark_user
from tests.factories import UserFactory

_names = itertools.count(1)


def secretariat(**kwargs):
    """A member of the secretariat's group, marked as having passed MFA."""
    user = UserFactory(**kwargs)
    user.groups.add(ensure_secretariat_group())
    mark_user(user, True)
    return user


def commission(slug="movilidad"):
    return Commission.objects.get_or_create(slug=slug, defaults={"name": f"Comisión {slug}"})[0]


def make_session(actor, *, number=None, days=7, commission=None, **kwargs):
    kind = CouncilSession.Kind.COMMISSION if commission else CouncilSession.Kind.ORDINARY
    return services.session_save(
        actor=actor,
        kind=kind,
        commission=globals()["commission"](commission) if commission else None,
        number=number or f"S-{next(_names)}",
        starts_at=timezone.now() + datetime.timedelta(days=days),
        place="Salón de la Ciudad",
        **kwargs,
    )


def make_councillors(actor, size):
    return [
        services.councillor_save(actor=actor, name=f"Concejal {next(_names):03d}", party="Partido")
        for _ in range(size)
    ]


def make_held_session(actor, *, size=3, items=1, presence="presente", **kwargs):
    """A held session with `size` councillors all present (by default) and `items` items;
    returns (session, its first item, the councillors)."""
    session = make_session(actor, days=-3, status=CouncilSession.Status.HELD, **kwargs)
    councillors = make_councillors(actor, size)
    services.attendance_record(
        actor=actor, session=session, presence=dict.fromkeys(councillors, presence)
    )
    made = [
        services.item_save(actor=actor, session=session, position=n, title=f"Punto {n}")
        for n in range(1, items + 1)
    ]
    return session, made[0], councillors
