"""Writes for verification: census files, code sheets, residents' requests, and residents
verifying themselves. Every verification itself goes through
accounts.services.resident_verify (its verifier, its record, its audit entry)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from accounts import services as account_services
from accounts.models import Resident
from quitodecide import rulebook
from quitodecide.errors import DomainError

from . import audit, hashing
from .census import ParsedCensus, parse_census
from .models import CensusBatch, CensusEntry, CodeSheet, VerificationCode, VerificationRequest

MAX_CODES = 200
MAX_CODE_DAYS = 366  # a sheet is for one event: its codes expire within a year at most


# --- census files -------------------------------------------------------------------------
@transaction.atomic
def census_upload(
    *, actor, zone, label: str, content: bytes
) -> tuple[CensusBatch | None, ParsedCensus]:
    """Check the file row by row and, when every row is right, store its hashes (never the
    file). Returns the batch (None when the file has errors: nothing is written) and the
    report."""
    rulebook.require(actor, "verification.upload_census", zone)
    parsed = parse_census(content, zone=zone)
    if not parsed.valid:
        return None, parsed
    batch = CensusBatch.objects.create(
        zone=zone,
        kind=parsed.kind,
        label=label.strip()[:120],
        rows=len(parsed.rows),
        uploaded_by=actor,
    )
    CensusEntry.objects.bulk_create(
        (
            CensusEntry(batch=batch, cedula_hash=digest, birth_hash=birth, parish_id=parish_id)
            for digest, birth, parish_id in parsed.rows
        ),
        batch_size=2000,
    )
    log(
        instance=batch,
        action=audit.CENSUS_UPLOAD,
        user=actor,
        data={"zone": zone.pk, "kind": batch.kind, "rows": batch.rows},
    )
    return batch, parsed


@transaction.atomic
def census_withdraw(*, actor, batch: CensusBatch) -> int:
    """Withdraw a census file: its rows are deleted, nobody verifies with it any more, and
    the verifications it gave end now. Returns how many residents lost theirs."""
    batch = CensusBatch.objects.select_for_update().get(pk=batch.pk)
    rulebook.require(actor, "verification.upload_census", batch.zone)
    if batch.withdrawn_at is not None:
        raise DomainError(_("This census file was already withdrawn."))
    batch.withdrawn_at = timezone.now()
    batch.withdrawn_by = actor
    batch.save(update_fields=["withdrawn_at", "withdrawn_by"])
    ended = account_services.residents_unverify_by_census(batch=batch, actor=actor)
    # Its rows are no longer needed for anything (LOPDP: no longer than needed): only the
    # batch stays, for the history of the verifications it gave.
    CensusEntry.objects.filter(batch=batch).delete()
    log(
        instance=batch,
        action=audit.CENSUS_WITHDRAW,
        user=actor,
        data={"zone": batch.zone_id, "verifications_ended": ended},
    )
    return ended


# --- one-time codes -----------------------------------------------------------------------
@transaction.atomic
def code_sheet_create(
    *, actor, zone, label: str, count: int, expires_on: datetime.date, assembly=None
) -> tuple[CodeSheet, list[str]]:
    """Generate `count` single-use codes for an event of `zone`. Returns the sheet and the
    clear codes, which exist only in this return value: show them once, never store them."""
    rulebook.require(actor, "verification.issue_codes", zone)
    errors = {}
    if not 1 <= count <= MAX_CODES:
        errors["count"] = _("Between 1 and %(max)s codes.") % {"max": MAX_CODES}
    today = timezone.localdate()
    if expires_on < today or expires_on > today + datetime.timedelta(days=MAX_CODE_DAYS):
        errors["expires_on"] = _("Choose a date from today to one year from now.")
    if assembly is not None:
        from territory.selectors import zone_of

        if zone_of(assembly) != zone:
            errors["assembly"] = _("The assembly must be one of this zone.")
    if not label.strip():
        errors["label"] = _("Name the event.")
    if errors:
        raise ValidationError(errors)
    sheet = CodeSheet.objects.create(
        zone=zone,
        label=label.strip()[:120],
        assembly=assembly,
        expires_on=expires_on,
        count=count,
        created_by=actor,
    )
    codes: dict[str, str] = {}
    while len(codes) < count:
        code = hashing.generate_code()
        codes.setdefault(hashing.code_hash(code), code)
    VerificationCode.objects.bulk_create(
        VerificationCode(sheet=sheet, code_hash=digest) for digest in codes
    )
    log(
        instance=sheet,
        action=audit.CODES_ISSUE,
        user=actor,
        data={"zone": zone.pk, "count": count, "expires_on": expires_on.isoformat()},
    )
    return sheet, list(codes.values())


# --- residents verifying themselves -----------------------------------------------------
def _close_open_requests(resident, *, verified_by_request=None) -> None:
    """A resident verified some other way no longer waits in the staff's queue."""
    VerificationRequest.objects.filter(
        resident=resident, status=VerificationRequest.Status.OPEN
    ).exclude(pk=getattr(verified_by_request, "pk", None)).update(
        status=VerificationRequest.Status.CANCELLED, handled_at=timezone.now()
    )


@transaction.atomic
def census_verify_self(*, user, match) -> Resident:
    resident = account_services.resident_for(user)
    resident = account_services.resident_verify(
        resident=resident, actor=user, method="census", match=match
    )
    _close_open_requests(resident)
    return resident


@transaction.atomic
def code_verify_self(*, user, code: str) -> Resident:
    resident = account_services.resident_for(user)
    resident = account_services.resident_verify(
        resident=resident, actor=user, method="code", code=code
    )
    _close_open_requests(resident)
    return resident


# --- requests -----------------------------------------------------------------------------
@transaction.atomic
def request_create(*, user, message: str = "") -> VerificationRequest:
    """A resident asks the staff of their zone to verify them: one open request at a time."""
    resident = account_services.resident_for(user)
    if resident.zone_id is None or resident.parish_id is None:
        raise DomainError(
            _("Say in your profile in which zone and parish you live, then ask again.")
        )
    rulebook.require(user, "verification.request", resident.zone)
    if resident.is_verified:
        raise DomainError(_("Your residency is already verified."))
    message = account_services.clean_display_name(message)[:1000]
    try:
        with transaction.atomic():
            return VerificationRequest.objects.create(
                resident=resident, zone=resident.zone, parish=resident.parish, message=message
            )
    except IntegrityError:
        raise DomainError(
            _("You already have a request waiting: the staff of your zone will answer it.")
        ) from None


def _lock_request(request) -> VerificationRequest:
    return (
        VerificationRequest.objects.select_for_update()
        .select_related("resident__user", "zone")
        .get(pk=request.pk)
    )


@transaction.atomic
def request_verify(
    *, actor, request: VerificationRequest, document_kind: str, reason: str, cedula: str = ""
) -> VerificationRequest:
    """Staff of the request's zone verify the resident (a staff check: document seen and a
    reason, as in the admin), closing the request. The resident is e-mailed."""
    request = _lock_request(request)
    rulebook.require(actor, "verification.handle_request", request)
    resident = request.resident
    if resident.zone_id != request.zone_id:
        raise DomainError(
            _("The resident has moved to another zone since asking: reject this request.")
        )
    account_services.resident_verify(
        resident=resident,
        actor=actor,
        method="staff",
        document_kind=document_kind,
        reason=reason,
        cedula=cedula,  # the card's number, when typed: confirms the profile's cédula
        request=request,
    )
    request.status = VerificationRequest.Status.VERIFIED
    request.handled_at = timezone.now()
    request.handled_by = actor
    request.reason = reason.strip()
    request.save(update_fields=["status", "handled_at", "handled_by", "reason"])
    log(
        instance=request,
        action=audit.REQUEST_VERIFY,
        user=actor,
        data={"zone": request.zone_id, "document_kind": document_kind, "reason": request.reason},
    )
    _notify(request)
    return request


@transaction.atomic
def request_reject(*, actor, request: VerificationRequest, reason: str) -> VerificationRequest:
    """Staff refuse a request with a reason the resident reads in the e-mail."""
    request = _lock_request(request)
    rulebook.require(actor, "verification.handle_request", request)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Write the reason: the resident will read it.")})
    request.status = VerificationRequest.Status.REJECTED
    request.handled_at = timezone.now()
    request.handled_by = actor
    request.reason = reason[:1000]
    request.save(update_fields=["status", "handled_at", "handled_by", "reason"])
    log(
        instance=request,
        action=audit.REQUEST_REJECT,
        user=actor,
        data={"zone": request.zone_id, "reason": request.reason},
    )
    _notify(request)
    return request


def _notify(request) -> None:
    from .tasks import send_request_outcome_email

    request_id = request.pk
    transaction.on_commit(lambda: send_request_outcome_email.enqueue(request_id))
