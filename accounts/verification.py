"""Ways to verify that an account belongs to a resident.

A verifier knows one method: staff checking a document in person (here), a census file or a
one-time code (verification.verifiers, registered when that app is ready). Its `check`
receives the resident, who acts (staff, or the resident themselves) and the method's
evidence (the document seen and a reason; a census match; a code), and answers with a
VerificationOutcome: verified or not (with a reason for the person), for which residence,
until when, and what to record. `accounts.services.resident_verify` applies the outcome,
records it (verification.VerificationRecord) and writes the audit entry, so a new method is
one more verifier in VERIFIERS; nothing else has to change.

A verifier's check runs inside resident_verify's transaction: it may claim its evidence
(mark a code used) and that claim is undone if the verification does not go through.
"""

import datetime
from dataclasses import dataclass, field
from typing import Protocol

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quitodecide import rulebook

# How long each method's verification holds. One place; docs/privacy.md ("Verification
# methods") says why:
# - staff: a person showed an identity document to an official: as strong as we get; four
#   years is one municipal term, so residents are checked again once per administration
#   and a move is not carried for ever.
# - census: as strong as the census itself, for the same term; withdrawing the census file
#   ends its verifications at once (verification.services.census_withdraw).
# - code: attendance at one assembly or training is weaker evidence of residence: one year.
VALIDITY: dict[str, datetime.timedelta] = {
    "staff": datetime.timedelta(days=4 * 365 + 1),
    "census": datetime.timedelta(days=4 * 365 + 1),
    "code": datetime.timedelta(days=365),
}


class DocumentKind(models.TextChoices):
    """The identity document staff saw (its number is never recorded)."""

    CEDULA = "cedula", _("Cédula de identidad")
    PASSPORT = "passport", _("Passport")
    REFUGEE = "refugee", _("Refugee identity card")
    OTHER = "other", _("Other document")


@dataclass(frozen=True)
class VerificationOutcome:
    verified: bool
    reason: str = ""
    # What the verification is for and how it is recorded (when verified):
    zone: object = None  # the residence it verifies; None keeps the profile's
    parish: object = None
    cedula_hash: str = ""  # link this cédula to the account (if it has none)
    staff: bool = False  # staff vouched (verified_by is the actor)
    expires_at: datetime.datetime | None = None  # None: VALIDITY[method] from now
    record: dict = field(default_factory=dict)  # VerificationRecord fields (sources, document)
    audit: dict = field(default_factory=dict)  # extra audit data (never a document number)


class Verifier(Protocol):
    method: str
    label: str

    def check(self, *, resident, actor, **evidence) -> VerificationOutcome: ...


def expires_from(method: str, start: datetime.datetime | None = None) -> datetime.datetime:
    return (start or timezone.now()) + VALIDITY[method]


class StaffVerifier:
    """A member of staff of the resident's zone has seen an identity document of the
    person and says why they vouch for the residence."""

    method = "staff"
    label = _("Checked by staff (document seen)")

    def check(self, *, resident, actor, document_kind="", reason="", cedula="", **evidence):
        from django.core.exceptions import ValidationError

        from .cedula import cedula_hash

        rulebook.require(
            actor,
            "accounts.verify_resident",
            resident,
            _("You are not allowed to verify residents."),
        )
        errors = {}
        if document_kind not in DocumentKind.values:
            errors["document_kind"] = _("Choose the document you saw.")
        reason = (reason or "").strip()
        if not reason:
            errors["reason"] = _("Write why you verify this residency.")
        digest = ""
        if cedula:
            # The number on the card staff hold: it confirms (or links) the profile's cédula.
            if document_kind != DocumentKind.CEDULA:
                errors["document_kind"] = _("A cédula number can only come from a cédula.")
            else:
                try:
                    digest = cedula_hash(cedula)
                except ValidationError as error:
                    errors["cedula"] = error.messages
        if errors:
            raise ValidationError(errors)
        return VerificationOutcome(
            verified=True,
            staff=True,
            cedula_hash=digest,
            record={
                "document_kind": document_kind,
                "reason": reason,
                "request": evidence.get("request"),
            },
            audit={"document_kind": document_kind, "reason": reason},
        )


VERIFIERS: dict[str, Verifier] = {StaffVerifier.method: StaffVerifier()}


def register(verifier: Verifier) -> Verifier:
    VERIFIERS[verifier.method] = verifier
    return verifier


def get_verifier(method: str) -> Verifier:
    try:
        return VERIFIERS[method]
    except KeyError:
        raise ValueError(f"Unknown verification method: {method!r}") from None


def method_label(method: str) -> str:
    verifier = VERIFIERS.get(method)
    return str(verifier.label) if verifier else method
