"""Open-government records for tests: plans, commitments, milestones, staff of the group."""

import itertools

from django.contrib.auth.models import Group

from opengov import services
from opengov.models import ActionPlan, Commitment, Milestone, MilestoneStatus, Verifiable
from opengov.rules import OPENGOV_GROUP_NAME
from quitodecide.mfa import mark_user
from tests.factories import UserFactory

_serial = itertools.count(1)
NOTE = "Se cambiaron las fechas."


def make_plan(*, slug=None, number=None, title="Plan de Acción de Gobierno Abierto", **values):
    serial = next(_serial)
    values.setdefault("start_year", 2024)
    values.setdefault("end_year", 2025)
    return ActionPlan.objects.create(
        slug=slug or f"plan-{serial}", number=number or 100 + serial, title=title, **values
    )


def make_commitment(plan, *, number=1, statuses=(), title="Datos abiertos al día", **values):
    """A commitment with one milestone per status in `statuses` (in order)."""
    values.setdefault("responsible", "Secretaría General de Planificación")
    values.setdefault("counterpart", "Escuela Politécnica Nacional")
    commitment = Commitment.objects.create(plan=plan, number=number, title=title, **values)
    for order, status in enumerate(statuses):
        Milestone.objects.create(
            commitment=commitment,
            sort_order=order,
            title=f"Hito {order + 1} del compromiso {number}",
            status=status,
            note=NOTE if status == MilestoneStatus.FULFILLED_WITH_NOTE else "",
        )
    return commitment


def add_verifiable(milestone, title="Informe de cumplimiento", **values):
    return Verifiable.objects.create(milestone=milestone, title=title, **values)


def make_opengov_staff(*, mfa=True):
    """A member of the open-government group (created as `load_opengov` creates it)."""
    services.group_ensure()
    user = UserFactory()
    user.groups.add(Group.objects.get(name=OPENGOV_GROUP_NAME))
    mark_user(user, mfa)
    return user
