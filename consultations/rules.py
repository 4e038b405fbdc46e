"""The rule book's consultation actions.

Phases of a consultation: "upcoming", "open", "closed" (closed and reported alike), and
"open_residents": open, restricted to verified residents (of its zone; of any zone for a
city-wide consultation).
"""

import rules
from django.utils.translation import gettext_lazy as _

from quitodecide.rulebook import (
    STAFF_OF_ZONE,
    WITH_VERIFIED_EMAIL,
    action,
    because,
    has_verified_email,
    rows_open_in,
    staff_of,
)

from .models import Status


def consultation_zone(consultation):
    return consultation.zone


@rules.predicate
def is_open(user, consultation) -> bool:
    return consultation is not None and consultation.status == Status.OPEN


@rules.predicate
def is_closed(user, consultation) -> bool:
    """Closed, with or without its report published."""
    return consultation is not None and consultation.status in {Status.CLOSED, Status.REPORTED}


@rules.predicate
def residency_satisfied(user, consultation) -> bool:
    """Residency-restricted consultations take verified residents of their zone (of any
    zone when city-wide); the others take anyone."""
    from accounts.selectors import is_verified_resident_of, resident_of

    if not consultation.requires_verified_residency:
        return True
    zone = consultation.zone
    if zone is None:
        resident = resident_of(user)
        return bool(resident and resident.is_verified and resident.zone_id)
    return is_verified_resident_of(user, zone)


def _explain_not_closed(user, consultation, predicate):
    from django.utils.translation import gettext

    from quitodecide.rulebook import Refusal, RefusalKind

    return Refusal(
        gettext("This consultation has not closed yet: this comes once it closes."),
        RefusalKind.PHASE,
    )


because(is_closed, _explain_not_closed)

PHASES = ("upcoming", "open", "open_residents", "closed")

action(
    "consultations.comment",
    is_open & has_verified_email & residency_satisfied,
    target="consultation",
    rows={
        "upcoming": set(),
        "open": WITH_VERIFIED_EMAIL,
        "open_residents": {"verified"},
        "closed": set(),
    },
    summary=_("Comment on a draft, an article or reply to a comment"),
    participation=True,
)
action(
    "consultations.manage",
    staff_of(consultation_zone),
    target="consultation",
    rows=dict.fromkeys(PHASES, STAFF_OF_ZONE),
    summary=_("Record in-person sessions and observations, answer officially"),
    staff=True,
)

action(
    "consultations.dispose",
    staff_of(consultation_zone) & is_closed,
    target="consultation",
    rows=rows_open_in(PHASES, {"closed"}, STAFF_OF_ZONE),
    summary=_(
        "Give each comment, proposed wording and in-person observation its disposition "
        "(taken up, partly, not taken up, outside the scope) once the consultation closed"
    ),
    staff=True,
)
action(
    "consultations.enact",
    staff_of(consultation_zone) & is_closed,
    target="consultation",
    rows=rows_open_in(PHASES, {"closed"}, STAFF_OF_ZONE),
    summary=_("Attach the sanctioned ordinance as the final version of a closed consultation"),
    staff=True,
)


def comment_refusal(user, consultation) -> str | None:
    """Why `user` may not comment on `consultation` now, or None if they may. The rule
    (`consultations.comment`) decides; this only explains its answer."""
    from django.utils.translation import gettext

    from accounts.selectors import has_verified_email as email_verified
    from quitodecide.rulebook import RefusalKind, allowed, explain

    if allowed(user, "consultations.comment", consultation):
        return None
    refusal = explain(user, "consultations.comment", consultation)
    if refusal.kind == RefusalKind.CONSENT:
        return refusal.reason  # the participation gate's reason, with the way back
    if not (user and user.is_authenticated):
        return gettext("Log in to take part in this consultation.")
    if not user.is_active:
        return gettext("Your account is not active.")
    if consultation.status != Status.OPEN:
        if consultation.status == Status.UPCOMING:
            return gettext("This consultation has not opened yet.")
        return gettext(
            "This consultation is closed: it can be read but no longer receives comments."
        )
    if not email_verified(user):
        return gettext("Confirm your e-mail address to take part.")
    zone = consultation.zone
    if zone is None:
        return gettext("Only residents with a verified residency can comment on this consultation.")
    return gettext("Only verified residents of %(zone)s can comment on this consultation.") % {
        "zone": zone.name
    }
