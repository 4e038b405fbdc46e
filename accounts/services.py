"""Writes for accounts and residents. Every write goes through here."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from quitodecide.errors import DomainError, PermissionDenied
from quitodecide.pagecache import purge as purge_pages
from territory.models import Parish, Zone

from . import audit
from .cedula import cedula_hash
from .models import Consent, Resident, User
from .verification import expires_from, get_verifier

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
    """Record an acceptance (privacy.consent keeps the rules: one standing acceptance per
    version, a new row after a withdrawal)."""
    from privacy.consent import consent_accept

    if purpose != Consent.Purpose.PRIVACY_POLICY:
        raise ValueError(f"Unknown consent purpose: {purpose!r}")
    return consent_accept(user, version)


def resident_for(user: User) -> Resident:
    resident, _created = Resident.objects.get_or_create(user=user)
    return resident


def cedula_is_frozen(resident: Resident) -> bool:
    """Once the residency is verified, or a ballot was cast with it, the cédula on the
    profile is the person's voter key (budgets: one person, one vote across online and
    booth voting): replacing it would let them vote again at a booth with the first one.
    Until then a typo can be corrected."""
    if resident.pk is None or not resident.cedula_hash:
        return False
    if resident.verification_status == Resident.Verification.VERIFIED:
        return True
    from budgets.models import Ballot

    return (
        Ballot.objects.filter(resident=resident).exists()
        or Ballot.objects.filter(voter_key__in=_voter_keys(resident.cedula_hash)).exists()
    )


def _voter_keys(digest: str) -> list[str]:
    """The voter key of cédula hash `digest` in every budget cycle (a booth ballot carries
    only that): a few dozen cycles, one HMAC each."""
    from accounts.cedula import cycle_voter_key
    from budgets.models import BudgetCyclePage

    return [
        cycle_voter_key(digest, pk) for pk in BudgetCyclePage.objects.values_list("pk", flat=True)
    ]


def _key_legacy_ballots(resident: Resident) -> None:
    """Ballots cast before voter keys (no cédula then) take the key of the cédula now
    registered, or the registration is refused when that key already voted in the cycle
    (at a booth): otherwise one person would have two counted ballots."""
    from accounts.cedula import cycle_voter_key
    from budgets.models import Ballot

    for ballot in Ballot.objects.select_for_update().filter(resident=resident, voter_key=None):
        key = cycle_voter_key(resident.cedula_hash, ballot.cycle_id)
        if Ballot.objects.filter(cycle_id=ballot.cycle_id, voter_key=key).exists():
            raise ValidationError(
                {
                    "cedula": _(
                        "A vote was already registered with this cédula in a budget cycle "
                        "where you voted online. Ask your zone's staff."
                    )
                }
            )
        ballot.voter_key = key
        ballot.save(update_fields=["voter_key"])


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
        digest = cedula_digest(cedula, exclude_resident=resident)
        if resident.cedula_hash and digest != resident.cedula_hash and cedula_is_frozen(resident):
            raise ValidationError(
                {
                    "cedula": _(
                        "Your cédula can no longer be changed here: your residency is "
                        "verified or you have voted with it. If it is wrong, ask your "
                        "zone's staff."
                    )
                }
            )
        if digest != resident.cedula_hash:
            resident.cedula_confirmed_at = None  # a new number is the person's own word
        resident.cedula_hash = digest
        _key_legacy_ballots(resident)
    moved = (resident.zone_id, resident.parish_id) != (
        zone.pk if zone else None,
        parish.pk if parish else None,
    )
    if moved and resident.verification_status == Resident.Verification.VERIFIED:
        _end_verification(resident)
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


VERIFICATION_FIELDS = [
    "verification_status",
    "verification_method",
    "verified_at",
    "verified_by",
    "verification_expires_at",
]


def _end_verification(resident: Resident) -> None:
    """Clear the resident's current verification (not saved here) and close its record."""
    from verification.models import VerificationRecord

    resident.verification_status = Resident.Verification.UNVERIFIED
    resident.verification_method = ""
    resident.verified_at = None
    resident.verified_by = None
    resident.verification_expires_at = None
    if resident.pk:
        VerificationRecord.objects.filter(resident=resident, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )


@transaction.atomic
def resident_verify(
    *, resident: Resident, actor: User, method: str = "staff", **evidence
) -> Resident:
    """Verify `resident` by `method` (a verifier of accounts.verification, given its
    evidence): sets the current verification (method, date, who for staff, expiry; the
    residence and cédula the method established), keeps its history
    (verification.VerificationRecord) and writes the audit entry. Raises DomainError or
    ValidationError (by field) when the verifier refuses."""
    from verification.models import VerificationRecord

    # One verification of one resident at a time (a code and a census at the same moment).
    list(Resident.objects.select_for_update().filter(pk=resident.pk).values_list("pk"))
    resident.refresh_from_db()
    outcome = get_verifier(method).check(resident=resident, actor=actor, **evidence)
    if not outcome.verified:
        raise DomainError(outcome.reason or _("The resident could not be verified."))
    zone = outcome.zone or resident.zone
    parish = outcome.parish if outcome.zone or outcome.parish else resident.parish
    if zone is None or parish is None:
        raise DomainError(_("A resident needs a zone and parish of residence to be verified."))
    check_residency(zone, parish)
    if outcome.cedula_hash:
        if resident.cedula_hash and resident.cedula_hash != outcome.cedula_hash:
            raise DomainError(
                _("This is not the cédula of your profile. Check the number you typed.")
            )
        if not resident.cedula_hash:
            resident.cedula_hash = cedula_digest_taken_check(outcome.cedula_hash, resident)
    now = timezone.now()
    if outcome.cedula_hash:
        # The method showed the cédula is the person's (a census row, the card staff saw).
        resident.cedula_confirmed_at = now
    moved = (resident.zone_id, resident.parish_id) != (zone.pk, parish.pk)
    resident.zone, resident.parish = zone, parish
    resident.verification_status = Resident.Verification.VERIFIED
    resident.verification_method = method
    resident.verified_at = now
    resident.verified_by = actor if outcome.staff else None
    expires_at = outcome.expires_at or expires_from(method, now)
    resident.verification_expires_at = expires_at
    try:
        with transaction.atomic():
            resident.save(
                update_fields=[
                    *VERIFICATION_FIELDS,
                    "zone",
                    "parish",
                    "cedula_hash",
                    "cedula_confirmed_at",
                ]
            )
    except IntegrityError:
        raise DomainError(_("This cédula is already linked to another account.")) from None
    VerificationRecord.objects.filter(resident=resident, ended_at__isnull=True).update(ended_at=now)
    VerificationRecord.objects.create(
        resident=resident,
        method=method,
        zone=zone,
        parish=parish,
        verified_at=now,
        verified_by=resident.verified_by,
        expires_at=expires_at,
        **outcome.record,
    )
    data = {"method": method, "expires_at": expires_at.isoformat(), **outcome.audit}
    if moved:
        data["moved_to"] = {"zone": zone.pk, "parish": parish.pk}
    log(instance=resident, action=audit.VERIFY, user=actor, data=data)
    return resident


def cedula_digest_taken_check(digest: str, resident: Resident) -> str:
    """`digest` if no other account holds that cédula, else DomainError."""
    if Resident.objects.filter(cedula_hash=digest).exclude(pk=resident.pk).exists():
        raise DomainError(
            _(
                "This cédula is already linked to another account. If it is yours, write to "
                "the administration of your zone."
            )
        )
    return digest


@transaction.atomic
def resident_unverify(*, resident: Resident, actor: User, reason: str = "") -> Resident:
    """Staff withdraw a resident's verification (rule of accounts.verify_resident); audited
    with the reason."""
    from quitodecide import rulebook

    rulebook.require(
        actor, "accounts.verify_resident", resident, _("You are not allowed to verify residents.")
    )
    _end_verification(resident)
    resident.save(update_fields=VERIFICATION_FIELDS)
    log(
        instance=resident,
        action=audit.UNVERIFY,
        user=actor,
        data={"reason": reason.strip()} if reason.strip() else None,
    )
    return resident


def residents_unverify_by_census(*, batch, actor: User) -> int:
    """End the verifications that census file `batch` gave and that still stand (its
    withdrawal, verification.services.census_withdraw, checks the rule and writes the
    audit entry). Returns how many residents lost theirs."""
    from verification.models import VerificationRecord

    records = VerificationRecord.objects.filter(census_batch=batch, ended_at__isnull=True)
    ids = list(records.values_list("resident_id", flat=True))
    count = Resident.objects.filter(pk__in=ids, verification_method="census").update(
        verification_status=Resident.Verification.UNVERIFIED,
        verification_method="",
        verified_at=None,
        verified_by=None,
        verification_expires_at=None,
    )
    purge_pages()  # no signal from this write: drop cached pages
    records.update(ended_at=timezone.now())
    return count


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
