"""Who may do what in a consultation. One predicate per action; services call them."""

from allauth.account.models import EmailAddress
from django.utils.translation import gettext as _

from territory.permissions import is_zone_staff


def comment_refusal(user, consultation) -> str | None:
    """Why `user` may not comment on `consultation` now, or None if they may."""
    if not (user and user.is_authenticated):
        return _("Log in to take part in this consultation.")
    if not user.is_active:
        return _("Your account is not active.")
    if not consultation.is_open:
        if consultation.status == "proxima":
            return _("This consultation has not opened yet.")
        return _("This consultation is closed: it can be read but no longer receives comments.")
    if not EmailAddress.objects.filter(user=user, verified=True).exists():
        return _("Confirm your e-mail address to take part.")
    if consultation.requires_verified_residency:
        resident = getattr(user, "resident", None)
        if resident is None or not resident.is_verified:
            return _("Only residents with a verified residency can comment on this consultation.")
        zone = consultation.zone
        if zone is not None and resident.zone_id != zone.pk:
            return _("Only verified residents of %(zone)s can comment on this consultation.") % {
                "zone": zone.name
            }
    return None


def can_comment(user, consultation) -> bool:
    return comment_refusal(user, consultation) is None


def can_manage(user, consultation) -> bool:
    """Staff of the consultation's zone (city-wide staff for city-wide consultations)."""
    return is_zone_staff(user, consultation.zone)
