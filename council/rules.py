"""The rule book's council actions.

Who: the council secretariat's group ("Secretaría General del Concejo", created by
`manage.py load_demo` and by migration 0002), after MFA in their session. Neither zone
staff nor the city-wide team may record sessions or accredit the empty seat: the
secretariat certifies the council's records. The matrix builds a `secretariat` role.

Targets:
- "council": the council's records as a whole (one phase, "any"); the rule also answers
  for None (a session not created yet).
- "agenda_item": an agenda item taking empty-seat applications; phase "open" until its
  session's deadline (`empty_seat_days` before it), "closed" after.
"""

import rules
from django.utils.translation import gettext_lazy as _

from quitodecide.rulebook import (
    WITH_VERIFIED_EMAIL,
    Refusal,
    RefusalKind,
    action,
    because,
    has_verified_email,
)

SECRETARIAT_GROUP_NAME = "Secretaría General del Concejo"


@rules.predicate
def is_secretariat(user) -> bool:
    """A member of the council secretariat's group (read once per user object)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    cached = user.__dict__.get("_council_secretariat")
    if cached is None:
        cached = user.groups.filter(name=SECRETARIAT_GROUP_NAME).exists()
        user.__dict__["_council_secretariat"] = cached
    return cached


@rules.predicate
def empty_seat_open(user, item) -> bool:
    return item is not None and item.empty_seat and item.session.empty_seat_open()


def _explain_secretariat(user, obj, predicate):
    from django.utils.translation import gettext

    return Refusal(
        gettext("Only the council secretariat (Secretaría General del Concejo) can do this."),
        RefusalKind.STAFF,
    )


def _explain_empty_seat_closed(user, item, predicate):
    from django.utils import formats, timezone
    from django.utils.translation import gettext

    if item is None or not item.empty_seat:
        return Refusal(
            gettext("This agenda item does not take empty-seat applications."), RefusalKind.PHASE
        )
    if item.session.status != item.session.Status.CONVENED:
        return Refusal(gettext("This session is not convened."), RefusalKind.PHASE)
    deadline = formats.date_format(timezone.localtime(item.session.empty_seat_deadline), "j F Y")
    return Refusal(
        gettext("The empty seat on this item closed on %(date)s.") % {"date": deadline},
        RefusalKind.PHASE,
    )


because(is_secretariat, _explain_secretariat)
because(empty_seat_open, _explain_empty_seat_closed)


action(
    "council.manage",
    is_secretariat,
    target="council",
    rows={"any": {"secretariat*"}},
    summary=_(
        "Record council and commission sessions: agenda items, video, attendance and "
        "roll-call votes (the council secretariat)"
    ),
    staff=True,
)
action(
    "council.apply_empty_seat",
    empty_seat_open & has_verified_email,
    target="agenda_item",
    rows={"open": WITH_VERIFIED_EMAIL, "closed": set()},
    summary=_("Apply for the empty seat (silla vacía) on an agenda item, for an organisation"),
    participation=True,
)
action(
    "council.accredit",
    is_secretariat & empty_seat_open,
    target="agenda_item",
    rows={"open": {"secretariat*"}, "closed": set()},
    summary=_(
        "Accredit or reject an organisation for the empty seat, with a reason, before the "
        "deadline (the council secretariat)"
    ),
    staff=True,
)
