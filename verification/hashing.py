"""Keyed hashes for census rows and one-time codes, and the codes' alphabet.

All keyed with CEDULA_HASH_KEY (the key of accounts.cedula.cedula_hash), each with its own
prefix so that no hash of one kind can be mistaken for another. The cédula's own hash is
`accounts.cedula.cedula_hash`, used unchanged.
"""

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from accounts.cedula import validate_cedula

# No 0/O, no 1/I: what is read aloud or copied from paper cannot be mistaken.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 10  # 32**10 = 2**50 possible codes
CODE_GROUP = 5


def _keyed(prefix: str, message: str) -> str:
    key = settings.CEDULA_HASH_KEY
    if not key:
        raise ImproperlyConfigured("CEDULA_HASH_KEY is not set.")
    return hmac.new(key.encode(), f"{prefix}\x00{message}".encode(), hashlib.sha256).hexdigest()


def birth_hash(cedula: str, born_on: datetime.date) -> str:
    """Keyed hash of (cédula, date of birth) for a census row; ValidationError on a
    malformed cédula."""
    return _keyed("census-birth", f"{validate_cedula(cedula)}|{born_on.isoformat()}")


def generate_code() -> str:
    """A new random code, grouped for reading: ``K7QXM-4TPRZ``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return format_code(raw)


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + CODE_GROUP] for i in range(0, len(raw), CODE_GROUP))


def normalise_code(value: str) -> str:
    """What a person typed, as the code: case, spaces and hyphens do not matter. Returns ""
    for anything that cannot be a code (wrong length, letters outside the alphabet)."""
    cleaned = "".join(ch for ch in str(value).upper() if not ch.isspace() and ch not in "-‐–—")
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return ""
    return cleaned


def code_hash(value: str) -> str:
    """Keyed hash of a code as typed (normalised first); "" when it cannot be a code."""
    code = normalise_code(value)
    return _keyed("verification-code", code) if code else ""
