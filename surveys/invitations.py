"""Invitations to answer a survey limited to one answer per invitation (a training
session's evaluation): a signed token naming the survey, the invitation's key (e.g.
"training-registration:42") and the invitee's name. Whoever holds a valid token may answer
once (rule book: surveys.answer_invited); the token is mailed by the app that invites
(training.evaluation). Tokens do not expire on their own: the survey's closing date ends
them."""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "surveys.invitation"


@dataclass(frozen=True)
class Invitation:
    survey: object  # surveys.models.Survey
    key: str
    name: str = ""

    @property
    def zone(self):
        return self.survey.zone


def make_token(survey, key: str, name: str = "") -> str:
    return signing.dumps({"s": survey.pk, "k": key, "n": name}, salt=SALT, compress=True)


def read_token(token: str):
    """The Invitation a token stands for, or None (bad signature, unknown survey, a survey
    not answered by invitation)."""
    from .models import Survey

    if not isinstance(token, str) or not token or len(token) > 2000:
        return None
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("k"), str):
        return None
    survey = Survey.objects.filter(pk=data.get("s"), limit=Survey.Limit.PER_INVITATION).first()
    if survey is None:
        return None
    return Invitation(survey=survey, key=data["k"], name=str(data.get("n") or ""))


def respondent_key(survey, key: str) -> str:
    """The key stored on the Response: on anonymous surveys an HMAC, so the database alone
    does not say who answered; on identified ones the plain key."""
    if survey.identity == survey.Identity.IDENTIFIED:
        return key[:128]
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"{survey.pk}:{key}".encode(), hashlib.sha256
    ).hexdigest()
    return f"h:{digest}"
