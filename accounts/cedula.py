"""Ecuadorian cédula: form check and keyed hash.

A well-formed number proves nothing about the person; it only catches typos. The number
itself is never stored: only an HMAC keyed with CEDULA_HASH_KEY, so that one cédula can
belong to one account without the database holding anything reversible.
"""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _

COEFFICIENTS = (2, 1, 2, 1, 2, 1, 2, 1, 2)
VALID_PROVINCES = {*range(1, 25), 30}


def normalise(value: str) -> str:
    """Strip the spaces and hyphens people type ("171234567-8")."""
    return "".join(ch for ch in str(value) if ch not in " -\t")


def check_digit(first_nine: str) -> int:
    total = 0
    for digit, coefficient in zip(first_nine, COEFFICIENTS, strict=True):
        product = int(digit) * coefficient
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def validate_cedula(value: str) -> str:
    """Return the normalised cédula or raise ValidationError with a message for the user."""
    number = normalise(value)
    if len(number) != 10 or not number.isascii() or not number.isdigit():
        raise ValidationError(_("A cédula has exactly 10 digits."), code="cedula_length")
    if int(number[:2]) not in VALID_PROVINCES:
        raise ValidationError(
            _("The first two digits of a cédula are a province code (01 to 24, or 30)."),
            code="cedula_province",
        )
    # Digit 3 is 0-5 for natural persons, but a few valid ones carry 6: do not reject it.
    if check_digit(number[:9]) != int(number[9]):
        raise ValidationError(
            _("This cédula number is not valid: please check the digits."),
            code="cedula_check_digit",
        )
    return number


def cedula_hash(value: str) -> str:
    """Keyed hash (HMAC-SHA256, hex) of a validated cédula."""
    key = settings.CEDULA_HASH_KEY
    if not key:
        raise ImproperlyConfigured("CEDULA_HASH_KEY is not set.")
    number = validate_cedula(value)
    return hmac.new(key.encode(), number.encode(), hashlib.sha256).hexdigest()


def cycle_voter_key(cedula_hash: str, cycle_id: int) -> str:
    """The voter's key in one budget cycle (HMAC-SHA256, hex, keyed with CEDULA_HASH_KEY) of
    the cédula's stored hash: the same person gets the same key online (from the profile's
    hash) and at a booth (from the typed number, hashed first), so one person votes once per
    cycle whatever the channel, and keeps it after deleting the account. Keys of two cycles
    cannot be linked to each other, nor to the account's hash, without the key."""
    key = settings.CEDULA_HASH_KEY
    if not key:
        raise ImproperlyConfigured("CEDULA_HASH_KEY is not set.")
    if not cedula_hash:
        raise ValueError("A voter key needs the cédula's hash.")
    message = f"voter:{int(cycle_id)}:{cedula_hash}"
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()
