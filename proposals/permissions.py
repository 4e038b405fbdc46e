"""Who may submit, support and assess requests: one predicate per action (phase x role x
zone). The shared helpers (residency, e-mail verification) live in budgets.permissions."""

from budgets.models import BudgetCyclePage, PhaseKind
from budgets.permissions import has_verified_email, is_verified_resident_of, lives_in_zone
from territory.permissions import is_zone_staff


def can_submit_request(user, cycle: BudgetCyclePage) -> bool:
    """Residents with a verified e-mail who live in the cycle's zone, while requests open."""
    return (
        cycle.is_open(PhaseKind.REQUESTS)
        and lives_in_zone(user, cycle)
        and has_verified_email(user)
    )


def can_support(user, cycle: BudgetCyclePage) -> bool:
    """Verified residents of the zone, while requests or pre-feasibility are open."""
    return (
        cycle.is_open(PhaseKind.REQUESTS) or cycle.is_open(PhaseKind.PREFEASIBILITY)
    ) and is_verified_resident_of(user, cycle)


def can_record_verdict(user, cycle: BudgetCyclePage) -> bool:
    """The zone's staff, from the opening of requests to the end of pre-feasibility."""
    return (
        cycle.is_open(PhaseKind.REQUESTS) or cycle.is_open(PhaseKind.PREFEASIBILITY)
    ) and is_zone_staff(user, cycle.zone)


def comment_refusal(user, cycle: BudgetCyclePage) -> str | None:
    """Why `user` may not comment on requests of `cycle`, or None if they may."""
    from allauth.account.models import EmailAddress
    from django.utils.translation import gettext as _

    if not (user and user.is_authenticated and user.is_active):
        return _("Log in to comment on this request.")
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        return _("Confirm your e-mail address to take part.")
    return None
