"""Writes for accounts and residents. Every write goes through here."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from quitodecide.errors import DomainError, PermissionDenied
from territory.models import Parish, Zone

from . import audit
from .cedula import cedula_hash
from .models import Consent, Resident, User
from .verification import get_verifier

# Bidirectional controls (embeddings, overrides, isolates, marks): in a display name they
# only serve to make it look like something else (after U+202E text shows right to left).
BIDI_CONTROLS = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]
)


def clean_display_name(value: str) -> str:
    """The display name without bidi control characters and surrounding spaces."""
    return (value or "").translate(BIDI_CONTROLS).strip()


def check_residency(zone: Zone | None, parish: Parish | None) -> None:
    """The parish, if given, must belong to the zone. Raises ValidationError by field."""
    if parish is not None and zone is None:
        raise ValidationError({"zone": _("Choose the zone your parish belongs to.")})
    if parish is not None and parish.zone_id != zone.pk:
        raise ValidationError(
            {
                "parish": _("The parish %(parish)s does not belong to the zone %(zone)s.")
                % {"parish": parish.name, "zone": zone.name}
            }
        )


def cedula_digest(value: str, *, exclude_resident: Resident | None = None) -> str:
    """The keyed hash of a well-formed cédula that no other account holds, or
    ValidationError (on the "cedula" field when it is taken)."""
    digest = cedula_hash(value)  # raises ValidationError on a malformed number
    taken = Resident.objects.filter(cedula_hash=digest)
    if exclude_resident is not None:
        taken = taken.exclude(pk=exclude_resident.pk)
    if taken.exists():
        raise ValidationError({"cedula": _("This cédula is already linked to another account.")})
    return digest


@transaction.atomic
def resident_register(
    *,
    user: User,
    display_name: str = "",
    zone: Zone | None = None,
    parish: Parish | None = None,
    cedula: str = "",
    privacy_consent: bool,
) -> Resident:
    """Create the resident profile at sign-up and record the privacy consent."""
    if not privacy_consent:
        raise ValidationError(
            {"privacy_consent": _("You must accept the privacy policy to create an account.")}
        )
    check_residency(zone, parish)
    digest = cedula_digest(cedula) if cedula else None
    try:
        with transaction.atomic():
            resident = Resident.objects.create(
                user=user,
                display_name=clean_display_name(display_name),
                zone=zone,
                parish=parish,
                cedula_hash=digest,
            )
    except IntegrityError:
        # Two sign-ups racing with the same cédula: the unique constraint decides.
        raise ValidationError(
            {"cedula": _("This cédula is already linked to another account.")}
        ) from None
    consent_record(user=user, purpose=Consent.Purpose.PRIVACY_POLICY)
    return resident


def consent_record(*, user: User, purpose: str, version: str | None = None) -> Consent:
    consent, _created = Consent.objects.get_or_create(
        user=user, purpose=purpose, policy_version=version or settings.PRIVACY_POLICY_VERSION
    )
    return consent


def resident_for(user: User) -> Resident:
    resident, _created = Resident.objects.get_or_create(user=user)
    return resident


@transaction.atomic
def resident_update_profile(
    *,
    resident: Resident,
    display_name: str,
    zone: Zone | None,
    parish: Parish | None,
    cedula: str = "",
    email_notifications: bool = True,
) -> Resident:
    """Update the profile. Changing residency withdraws a verification based on it."""
    check_residency(zone, parish)
    if cedula:
        resident.cedula_hash = cedula_digest(cedula, exclude_resident=resident)
    moved = (resident.zone_id, resident.parish_id) != (
        zone.pk if zone else None,
        parish.pk if parish else None,
    )
    if moved and resident.is_verified:
        resident.verification_status = Resident.Verification.UNVERIFIED
        resident.verification_method = ""
        resident.verified_at = None
        resident.verified_by = None
    resident.display_name = clean_display_name(display_name)
    resident.zone = zone
    resident.parish = parish
    resident.email_notifications = email_notifications
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:
        raise ValidationError(
            {"cedula": _("This cédula is already linked to another account.")}
        ) from None
    return resident


@transaction.atomic
def resident_verify(*, resident: Resident, actor: User, method: str = "staff") -> Resident:
    """Mark a resident verified by `method`; staff actions go to the audit log."""
    outcome = get_verifier(method).check(resident=resident, actor=actor)
    if not outcome.verified:
        raise DomainError(outcome.reason or _("The resident could not be verified."))
    if resident.zone_id is None or resident.parish_id is None:
        raise DomainError(_("A resident needs a zone and parish of residence to be verified."))
    resident.verification_status = Resident.Verification.VERIFIED
    resident.verification_method = method
    resident.verified_at = timezone.now()
    resident.verified_by = actor
    resident.save(
        update_fields=["verification_status", "verification_method", "verified_at", "verified_by"]
    )
    log(instance=resident, action=audit.VERIFY, user=actor, data={"method": method})
    return resident


@transaction.atomic
def resident_unverify(*, resident: Resident, actor: User) -> Resident:
    get_verifier("staff").check(resident=resident, actor=actor)
    resident.verification_status = Resident.Verification.UNVERIFIED
    resident.verification_method = ""
    resident.verified_at = None
    resident.verified_by = None
    resident.save(
        update_fields=["verification_status", "verification_method", "verified_at", "verified_by"]
    )
    log(instance=resident, action=audit.UNVERIFY, user=actor)
    return resident


def residents_follow_parish(*, parish: Parish) -> int:
    """After `parish` moved to another zone (territory.services.parish_update, which checks
    the rule and writes the audit entry), its residents' zone follows it. Their residence
    has not changed, so verification stays. Returns how many residents moved."""
    return (
        Resident.objects.filter(parish=parish)
        .exclude(zone_id=parish.zone_id)
        .update(zone_id=parish.zone_id)
    )


@transaction.atomic
def resident_staff_update(
    *, resident: Resident, actor: User, display_name: str, zone: Zone | None, parish: Parish | None
) -> Resident:
    """Staff correct a resident's profile in the admin: staff of the resident's zone, and of
    the zone they move the resident to. Moving withdraws a verification, as when the
    resident moves themselves. Audited."""
    from quitodecide import rulebook
    from territory.permissions import is_zone_staff

    rulebook.require(
        actor, "accounts.verify_resident", resident, _("You can only edit residents of your zone.")
    )
    if zone is not None and zone.pk != resident.zone_id and not is_zone_staff(actor, zone):
        raise PermissionDenied(_("You can only move residents to a zone of yours."))
    fields = ("display_name", "zone_id", "parish_id")
    before = {name: getattr(resident, name) for name in fields}
    resident = resident_update_profile(
        resident=resident,
        display_name=display_name,
        zone=zone,
        parish=parish,
        email_notifications=resident.email_notifications,
    )
    changed = [name for name in fields if getattr(resident, name) != before[name]]
    if changed:
        log(instance=resident, action=audit.UPDATE, user=actor, data={"fields": changed})
    return resident
