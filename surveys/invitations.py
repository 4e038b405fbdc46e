"""Invitations to answer a survey limited to one answer per invitation (a training
session's evaluation), kept on the server (`models.InvitationRecord`).

The e-mailed link carries only a random, opaque token (`secrets.token_urlsafe(24)`): it
names neither the survey, nor the invitee, nor the inviting app's key, so a web server's
access log does not either. Only the token's SHA-256 is stored. Whoever holds a valid token
may answer once (rule book: surveys.answer_invited); the token is mailed by the app that
invites (training.evaluation).

Decisions:
- One invitation per (survey, key). `make_token` creates it or refreshes it: every call
  issues a new token, which replaces the previous one (only hashes are stored, so an old
  token cannot be handed out again); it also lifts a revocation. The latest e-mail's link
  is the one that works.
- `revoke(survey, key)` ends an invitation (training: attendance unmarked); answers
  already given stay.
- Tokens do not expire on their own: the survey's closing date ends them.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

TOKEN_BYTES = 24
TOKEN_MAX = 200


@dataclass(frozen=True)
class Invitation:
    survey: object  # surveys.models.Survey
    key: str
    name: str = ""

    @property
    def zone(self):
        return self.survey.zone


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_token(survey, key: str, name: str = "") -> str:
    """A new token for the invitation (`survey`, `key`), replacing any earlier one."""
    from .models import InvitationRecord

    token = secrets.token_urlsafe(TOKEN_BYTES)
    InvitationRecord.objects.update_or_create(
        survey=survey,
        key=key[:128],
        defaults={
            "name": (name or "")[:200],
            "token_hash": token_hash(token),
            "revoked_at": None,
        },
    )
    return token


def revoke(survey, key: str) -> bool:
    """End the invitation (`survey`, `key`); True when there was one still valid."""
    from .models import InvitationRecord

    updated = InvitationRecord.objects.filter(
        survey=survey, key=key[:128], revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    return bool(updated)


def read_token(token: str):
    """The Invitation a token stands for, or None (unknown or replaced token, revoked, a
    survey not answered by invitation)."""
    from .models import InvitationRecord, Survey

    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX:
        return None
    record = (
        InvitationRecord.objects.select_related("survey__zone")
        .filter(
            token_hash=token_hash(token),
            revoked_at__isnull=True,
            survey__limit=Survey.Limit.PER_INVITATION,
        )
        .first()
    )
    if record is None:
        return None
    return Invitation(survey=record.survey, key=record.key, name=record.name)


def respondent_key(survey, key: str) -> str:
    """The key stored on the Response: on anonymous surveys an HMAC, so the database alone
    does not say who answered; on identified ones the plain key."""
    if survey.identity == survey.Identity.IDENTIFIED:
        return key[:128]
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{survey.pk}:{key}".encode(), hashlib.sha256
    ).hexdigest()
    return f"h:{digest}"
