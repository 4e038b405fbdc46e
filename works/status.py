"""The life of a work: its statuses, the transitions between them, and the progress rules.

Pure functions over plain values, so that the admin form, the monthly-matrix importer and
the services apply exactly the same rules (and property tests can drive them directly).

Statuses and the transitions that make sense:

    planificada ─┬─> en_contratacion ─┬─> en_ejecucion ─┬─> finalizada
                 │                    └─> planificada   ├─> suspendida ─> en_ejecucion
                 └─> en_ejecucion (administración directa) └─> cancelada
    any status except finalizada ─> cancelada

- A procurement can fail (proceso desierto): en_contratacion goes back to planificada.
- Finished and cancelled works are final: a correction is a new work, or a note.
- Physical progress is 0 until execution starts, and 100 exactly when the work is
  finished (a work at 100 % still under way is allowed: reception pending).
- Neither physical nor financial progress goes down without a written reason (a
  correction of a wrong figure must say so).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class WorkStatus(models.TextChoices):
    PLANNED = "planificada", gettext_lazy("Planned")
    PROCUREMENT = "en_contratacion", gettext_lazy("In procurement")
    UNDER_WAY = "en_ejecucion", gettext_lazy("Under way")
    SUSPENDED = "suspendida", gettext_lazy("Suspended")
    FINISHED = "finalizada", gettext_lazy("Finished")
    CANCELLED = "cancelada", gettext_lazy("Cancelled")


S = WorkStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PLANNED: frozenset({S.PROCUREMENT, S.UNDER_WAY, S.CANCELLED}),
    S.PROCUREMENT: frozenset({S.PLANNED, S.UNDER_WAY, S.CANCELLED}),
    S.UNDER_WAY: frozenset({S.SUSPENDED, S.FINISHED, S.CANCELLED}),
    S.SUSPENDED: frozenset({S.UNDER_WAY, S.CANCELLED}),
    S.FINISHED: frozenset(),
    S.CANCELLED: frozenset(),
}
# Statuses in which physical work has not started.
NOT_STARTED = frozenset({S.PLANNED, S.PROCUREMENT})
FINAL = frozenset({S.FINISHED, S.CANCELLED})
ZERO, HUNDRED = Decimal("0"), Decimal("100")


def can_move(current: str, new: str) -> bool:
    """Whether a work may go from `current` to `new` (staying in the same status is fine)."""
    return current == new or new in TRANSITIONS.get(current, frozenset())


@dataclass(frozen=True)
class Problem:
    """One broken rule: the field it concerns and the message for staff (Spanish)."""

    field: str
    message: str


def check_update(
    *,
    current_status: str,
    current_physical: Decimal,
    current_financial: Decimal,
    status: str,
    physical: Decimal,
    financial: Decimal,
    reason: str = "",
) -> list[Problem]:
    """Every problem with moving a work from its current state to the given one."""
    problems = []
    if status not in S.values:
        problems.append(Problem("status", _("Unknown status “%(status)s”.") % {"status": status}))
        return problems
    if not can_move(current_status, status):
        problems.append(
            Problem(
                "status",
                _("A work cannot go from “%(old)s” to “%(new)s”.")
                % {"old": S(current_status).label, "new": S(status).label},
            )
        )
    for field, value in (("physical_progress", physical), ("financial_progress", financial)):
        if value is None or not (ZERO <= value <= HUNDRED):
            problems.append(Problem(field, _("Progress is a percentage from 0 to 100.")))
    if problems:
        return problems
    if status in NOT_STARTED and physical != ZERO:
        problems.append(
            Problem(
                "physical_progress",
                _("A work that is “%(status)s” has no physical progress yet (0 %%).")
                % {"status": S(status).label},
            )
        )
    if status == S.FINISHED and physical != HUNDRED:
        problems.append(
            Problem(
                "physical_progress",
                _("A finished work has %(full)s %% physical progress.") % {"full": 100},
            )
        )
    has_reason = bool((reason or "").strip())
    if physical < current_physical and not has_reason:
        problems.append(
            Problem(
                "physical_progress",
                _("Physical progress goes down (%(old)s %% to %(new)s %%): explain why.")
                % {"old": current_physical, "new": physical},
            )
        )
    if financial < current_financial and not has_reason:
        problems.append(
            Problem(
                "financial_progress",
                _("Financial progress goes down (%(old)s %% to %(new)s %%): explain why.")
                % {"old": current_financial, "new": financial},
            )
        )
    return problems
