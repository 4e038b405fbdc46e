"""The rule book's training actions.

Targets:
- "training_plan": a plan (or an unsaved one carrying the zone, to create one); phase "any".
- "training_session": phases "upcoming" (before the day it starts, Quito time), "today"
  (its day, before it starts), "held" (started) and "cancelled".
"""

import rules
from django.utils.translation import gettext_lazy as _

from quitodecide.rulebook import (
    EVERYONE,
    STAFF_OF_ZONE,
    Refusal,
    RefusalKind,
    action,
    because,
    staff_of,
)


def plan_zone(plan):
    return plan.zone


def session_zone(session):
    return session.plan.zone


@rules.predicate
def registration_open(user, session) -> bool:
    return (
        session is not None
        and session.plan.is_published
        and session.phase() in {"upcoming", "today"}
    )


@rules.predicate
def attendance_open(user, session) -> bool:
    return session is not None and session.phase() in {"today", "held"}


def _explain_registration_closed(user, session, predicate):
    from django.utils.translation import gettext

    if session is not None and session.phase() == "cancelled":
        return Refusal(gettext("This session was cancelled."), RefusalKind.PHASE)
    if session is not None and not session.plan.is_published:
        return Refusal(gettext("This training plan is not published."), RefusalKind.PHASE)
    return Refusal(gettext("Registration closed when the session started."), RefusalKind.PHASE)


def _explain_attendance_closed(user, session, predicate):
    from django.utils.translation import gettext

    if session is not None and session.phase() == "cancelled":
        return Refusal(gettext("This session was cancelled."), RefusalKind.PHASE)
    return Refusal(gettext("Attendance is taken from the day of the session."), RefusalKind.PHASE)


because(registration_open, _explain_registration_closed)
because(attendance_open, _explain_attendance_closed)


action(
    "training.manage",
    staff_of(plan_zone),
    target="training_plan",
    rows={"any": STAFF_OF_ZONE},
    summary=_(
        "Create and edit the zone's training plans, modules and sessions, see registrations "
        "and send the evaluation (zone staff)"
    ),
    staff=True,
)
action(
    "training.attendance",
    staff_of(session_zone) & attendance_open,
    target="training_session",
    rows={
        "upcoming": set(),
        "today": STAFF_OF_ZONE,
        "held": STAFF_OF_ZONE,
        "cancelled": set(),
    },
    summary=_(
        "Take a session's attendance, from its day on; attendees get their certificate (zone staff)"
    ),
    staff=True,
)
action(
    "training.register",
    registration_open,
    target="training_session",
    rows={"upcoming": EVERYONE, "today": EVERYONE, "held": set(), "cancelled": set()},
    summary=_(
        "Register for a training session until it starts, with an account or with name, "
        "e-mail and parish (a waiting list when it is full)"
    ),
)
