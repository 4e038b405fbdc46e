"""Ways to verify that an account belongs to a resident.

A verifier knows one method (staff checking an ID in person, a census service later). It
answers whether a resident is verified; the service `resident_verify` records the outcome.
Register new verifiers in VERIFIERS; nothing else has to change.
"""

from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext_lazy as _

from quitodecide import rulebook
from quitodecide.errors import PermissionDenied


@dataclass(frozen=True)
class VerificationOutcome:
    verified: bool
    reason: str = ""


class Verifier(Protocol):
    method: str
    label: str

    def check(self, *, resident, actor) -> VerificationOutcome: ...


class StaffVerifier:
    """A member of staff has seen the person's documents and vouches for them."""

    method = "staff"
    label = _("Checked by staff")

    def check(self, *, resident, actor) -> VerificationOutcome:
        if not rulebook.allowed(actor, "accounts.verify_resident", resident):
            raise PermissionDenied(_("You are not allowed to verify residents."))
        return VerificationOutcome(verified=True)


VERIFIERS: dict[str, Verifier] = {StaffVerifier.method: StaffVerifier()}


def get_verifier(method: str) -> Verifier:
    try:
        return VERIFIERS[method]
    except KeyError:
        raise ValueError(f"Unknown verification method: {method!r}") from None
