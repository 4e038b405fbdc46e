"""Who may do what in a budget cycle: one predicate per action, phase x role x zone.

Services call these before writing; views call them to decide what to show. Every predicate
takes the user and the cycle (and reads the cycle's phases, prefetched where it matters).
"""

from allauth.account.models import EmailAddress

from territory.permissions import is_zone_staff

from .models import BudgetCyclePage, PhaseKind


def resident_of(user):
    """The user's resident profile, or None (anonymous users and accounts without one)."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    try:
        return user.resident
    except AttributeError:  # Resident.DoesNotExist is an AttributeError too
        return None


def has_verified_email(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and EmailAddress.objects.filter(user=user, verified=True).exists()
    )


def lives_in_zone(user, cycle: BudgetCyclePage) -> bool:
    resident = resident_of(user)
    return (
        resident is not None and resident.zone_id is not None and resident.zone_id == cycle.zone_id
    )


def is_verified_resident_of(user, cycle: BudgetCyclePage) -> bool:
    """Verified residency in the cycle's zone (and a verified e-mail: allauth requires it to
    log in, but the rule should not depend on that setting)."""
    resident = resident_of(user)
    return bool(
        resident
        and resident.is_verified
        and lives_in_zone(user, cycle)
        and has_verified_email(user)
    )


def can_manage_envelopes(user, cycle: BudgetCyclePage) -> bool:
    """The zone's staff, until prioritisation starts (envelopes must not move under votes)."""
    return not cycle.has_started(PhaseKind.PRIORITISATION) and is_zone_staff(user, cycle.zone)


def can_vote(user, cycle: BudgetCyclePage) -> bool:
    """Verified residents of the zone, while prioritisation is open."""
    return cycle.is_open(PhaseKind.PRIORITISATION) and is_verified_resident_of(user, cycle)


def can_record_tally(user, cycle: BudgetCyclePage) -> bool:
    """The zone's staff, during prioritisation and the results phase (actas arrive late)."""
    return (
        cycle.is_open(PhaseKind.PRIORITISATION) or cycle.is_open(PhaseKind.RESULTS)
    ) and is_zone_staff(user, cycle.zone)


def can_publish_results(user, cycle: BudgetCyclePage) -> bool:
    """The zone's staff, once prioritisation is over, during the results phase."""
    return cycle.is_open(PhaseKind.RESULTS) and is_zone_staff(user, cycle.zone)
