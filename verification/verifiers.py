"""The census and one-time-code verifiers, behind accounts.verification's interface
(registered in VerificationConfig.ready). Both are self-service: the resident is the
actor, the rule is `verification.verify_self`; the rate limits are the views' (they know
the request)."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.verification import VALIDITY, VerificationOutcome, expires_from
from quitodecide import rulebook
from quitodecide.errors import DomainError

from . import hashing
from .models import CensusEntry, VerificationCode


class CensusVerifier:
    """The resident proved a row of a census file: their cédula and date of birth (a
    birth-date census) or their cédula and parish (a parish census). Evidence: `match`,
    the selectors.CensusMatch found for what they typed."""

    method = "census"
    label = gettext_lazy("Census file")

    def check(self, *, resident, actor, match=None, **evidence):
        rulebook.require(actor, "verification.verify_self", resident.zone)
        if actor.pk != resident.user_id or match is None:
            raise DomainError(_("The resident could not be verified."))
        # The file may have been withdrawn since the match was found (the confirmation step).
        entry = (
            CensusEntry.objects.select_related("batch__zone", "parish__zone")
            .filter(pk=match.entry_id, cedula_hash=match.cedula_hash, batch__withdrawn_at=None)
            .first()
        )
        if entry is None:
            raise DomainError(_("The data you entered do not match the census. Check them."))
        # The residence is the census's, never what the person chose: a parish census
        # verifies in its row's parish; a birth-date census knows only its zone, so the
        # parish is the person's choice within that zone.
        if entry.parish_id is not None:
            parish = entry.parish
            zone = parish.zone
        else:
            zone = entry.batch.zone
            parish = match.parish
            if parish is None or parish.zone_id != zone.pk:
                raise DomainError(
                    _("Choose the parish of %(zone)s where you live.") % {"zone": zone.name}
                )
        return VerificationOutcome(
            verified=True,
            zone=zone,
            parish=parish,
            cedula_hash=entry.cedula_hash,
            record={"census_batch": entry.batch},
            audit={"census_batch": entry.batch_id},
        )


def _verified_until(resident):
    """When the resident's standing verification ends (None: not verified, or no end)."""
    if not resident.is_verified:
        return None
    if resident.verification_expires_at is not None:
        return resident.verification_expires_at
    if resident.verified_at is not None:
        return resident.verified_at + VALIDITY.get(resident.verification_method, VALIDITY["staff"])
    return None


class CodeVerifier:
    """The resident typed a one-time code handed out at an assembly or training of their
    zone. The code is claimed (used by, at) in the verification's own transaction with a
    conditional UPDATE, so of two simultaneous uses of one code exactly one succeeds."""

    method = "code"
    label = gettext_lazy("One-time code")

    def check(self, *, resident, actor, code="", **evidence):
        rulebook.require(actor, "verification.verify_self", resident.zone)
        digest = hashing.code_hash(code)
        found = (
            VerificationCode.objects.select_related("sheet__zone").filter(code_hash=digest).first()
            if digest
            else None
        )
        if found is None or found.used_at is not None:
            raise DomainError(_("This code is not valid or has already been used."))
        sheet = found.sheet
        if sheet.expires_on < timezone.localdate():
            raise DomainError(
                _("This code expired on %(date)s.")
                % {"date": date_format(sheet.expires_on, "SHORT_DATE_FORMAT")}
            )
        if resident.zone_id != sheet.zone_id or resident.parish_id is None:
            raise DomainError(
                _(
                    "This code verifies residents of %(zone)s. Your profile says you live "
                    "elsewhere, or does not give your parish: correct your profile first, "
                    "then enter the code again."
                )
                % {"zone": sheet.zone.name}
            )
        # A code never shortens a stronger verification of the same zone (a census or a
        # staff check last longer): refused before the code is spent.
        current_until = _verified_until(resident)
        if (
            current_until is not None
            and resident.zone_id == sheet.zone_id
            and current_until > expires_from(self.method)
        ):
            raise DomainError(
                _("Your residency is already verified until %(date)s.")
                % {"date": date_format(timezone.localtime(current_until), "SHORT_DATE_FORMAT")}
            )
        claimed = VerificationCode.objects.filter(pk=found.pk, used_at__isnull=True).update(
            used_at=timezone.now(), used_by=actor
        )
        if claimed != 1:  # someone else's use got there first
            raise DomainError(_("This code is not valid or has already been used."))
        return VerificationOutcome(
            verified=True,
            record={"code_sheet": sheet},
            audit={"code_sheet": sheet.pk},
        )
