"""Reads about accounts shared by every app: whose resident profile, verified how.

"Verified resident of a zone" is decided here, once: the rule book's
`verified_resident_of` predicate asks `is_verified_resident_of`, and consultations,
budgets and assemblies all use that predicate.
"""

from allauth.account.models import EmailAddress


def resident_of(user):
    """The active user's resident profile, or None (anonymous, inactive, no profile)."""
    if not (user and user.is_authenticated and user.is_active):
        return None
    try:
        return user.resident
    except AttributeError:  # Resident.DoesNotExist is an AttributeError too
        return None


def has_verified_email(user) -> bool:
    """A verified e-mail address. allauth requires one to log in, but the rules must not
    depend on that setting."""
    if not (user and user.is_authenticated):
        return False
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def is_verified_resident_of(user, zone, *, parish=None) -> bool:
    """Verified e-mail, verified residency that has not expired (`Resident.is_verified`),
    living in `zone` (and in `parish` if given)."""
    resident = resident_of(user)
    if resident is None or zone is None or not resident.is_verified:
        return False
    if resident.zone_id != zone.pk:
        return False
    if parish is not None and resident.parish_id != parish.pk:
        return False
    return has_verified_email(user)


def zone_office(zone):
    """The public page of `zone`'s zonal administration (address, opening hours, phone), or
    None: where a resident goes to get verified."""
    if zone is None:
        return None
    from territory.models import ZonePage

    return ZonePage.objects.live().filter(zone=zone).first()


def verified_residents_q(prefix: str = ""):
    """A Q filter for residents whose verification stands (verified, not expired), for
    queries that count or list verified residents: the query form of
    `Resident.is_verified`. `prefix` reaches residents through a relation ("resident__")."""
    from django.db.models import Q
    from django.utils import timezone

    from .verification import VALIDITY

    now = timezone.now()
    return Q(**{f"{prefix}verification_status": "verified"}) & (
        Q(**{f"{prefix}verification_expires_at__gt": now})
        | Q(
            **{
                f"{prefix}verification_expires_at__isnull": True,
                f"{prefix}verified_at__gt": now - VALIDITY["staff"],
            }
        )
    )
