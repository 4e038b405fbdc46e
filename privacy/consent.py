"""Consent to the privacy policy (LOPDP art. 8): accepting each version, withdrawing it,
and its history. Every acceptance is its own row (`accounts.Consent`: version, given_at);
a withdrawal stamps `withdrawn_at` on the standing rows; accepting again is a new row.

The rule book's participation gate (`quitodecide.rulebook.may_participate`) asks
`has_current_consent`: a standing consent to `settings.PRIVACY_POLICY_VERSION`. The answer
is cached on the user object (one query per request, however many rules a page asks), and
the services here update that cache.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.models import Consent, Resident

PURPOSE = Consent.Purpose.PRIVACY_POLICY
_CACHE = "_policy_consent_status"


@dataclass(frozen=True)
class PolicyVersion:
    """One published version of the privacy policy: when it took effect and what changed."""

    version: str
    effective_on: datetime.date
    changes: tuple[str | Promise, ...]


# Every version of the policy, oldest first. A new version: add it here, then set
# settings.PRIVACY_POLICY_VERSION; residents are asked to accept it before taking part.
POLICY_VERSIONS: tuple[PolicyVersion, ...] = (
    PolicyVersion(
        "2026-11",
        datetime.date(2026, 11, 1),
        (
            _(
                "Your data rights in one place, under “My data”: download everything we hold "
                "about you, correct your profile, withdraw this consent or delete your account."
            ),
            _(
                "A public register of processing activities: what data we process, why, on "
                "which legal basis and for how long."
            ),
            _(
                "Accounts whose e-mail address is never confirmed are deleted after a set "
                "period, listed in the register."
            ),
            _(
                "New ways to verify your residency (census, codes given out at assemblies, "
                "asking your zone's staff), and in-person voting that is checked against "
                "online voting, so that each person votes once."
            ),
        ),
    ),
)


def current_version() -> str:
    return settings.PRIVACY_POLICY_VERSION


def policy_version(version: str) -> PolicyVersion | None:
    return next((item for item in POLICY_VERSIONS if item.version == version), None)


def versions_since(version: str | None) -> list[PolicyVersion]:
    """The versions after `version` up to the current one (all of them when None, or when
    `version` is unknown): what changed since the person last accepted."""
    current = current_version()
    known = [item.version for item in POLICY_VERSIONS]
    start = known.index(version) + 1 if version in known else 0
    end = known.index(current) + 1 if current in known else len(known)
    return list(POLICY_VERSIONS[start:end])


# --- Reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentStatus:
    version: str  # the current version this status was read against
    current: bool  # a standing consent to the current version
    withdrawn: bool  # gave consent before and withdrew all of it
    last_version: str | None  # the newest version accepted (standing or not)


def consent_status(user) -> ConsentStatus | None:
    """The person's consent against the current version, in one query, cached on the user
    object (per version, so a changed setting is read again). None for anonymous users."""
    if not (user and user.is_authenticated):
        return None
    version = current_version()
    cached = user.__dict__.get(_CACHE)
    if cached is not None and cached.version == version:
        return cached
    rows = list(
        Consent.objects.filter(user=user, purpose=PURPOSE)
        .order_by("-given_at", "-pk")
        .values_list("policy_version", "withdrawn_at")
    )
    status = ConsentStatus(
        version=version,
        current=any(v == version and w is None for v, w in rows),
        withdrawn=bool(rows) and all(w is not None for _v, w in rows),
        last_version=rows[0][0] if rows else None,
    )
    user.__dict__[_CACHE] = status
    return status


def has_current_consent(user) -> bool:
    status = consent_status(user)
    return bool(status and status.current)


def forget(user) -> None:
    """Drop the cached status (after a write through another path)."""
    user.__dict__.pop(_CACHE, None)


def consent_history(user) -> list[Consent]:
    """Every acceptance, newest first: version, when given, when withdrawn."""
    return list(Consent.objects.filter(user=user, purpose=PURPOSE).order_by("-given_at", "-pk"))


# --- Writing --------------------------------------------------------------------------------


def consent_accept(user, version: str | None = None) -> Consent:
    """Record that `user` accepts `version` (the current one by default). Accepting a
    version one already stands by records nothing new (a double submission); after a
    withdrawal it is a new row."""
    version = version or current_version()
    standing = Consent.objects.filter(
        user=user, purpose=PURPOSE, policy_version=version, withdrawn_at__isnull=True
    )
    consent = standing.first()
    if consent is None:
        try:
            with transaction.atomic():
                consent = Consent.objects.create(user=user, purpose=PURPOSE, policy_version=version)
        except IntegrityError:  # the same acceptance at the same moment: keep the first
            consent = standing.get()
    forget(user)
    return consent


@transaction.atomic
def consent_withdraw(user) -> int:
    """Withdraw consent: stamp `withdrawn_at` on every standing acceptance (the rows stay,
    as the record of what was given and when). From then on the rule book refuses
    participation (with the way back: accepting again). Contributions already made stay.
    What only ran on consent stops: following works (their e-mails). Returns the number of
    acceptances withdrawn (0 when none was standing)."""
    from works.models import Follow

    now = timezone.now()
    withdrawn = Consent.objects.filter(
        user=user, purpose=PURPOSE, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)
    if withdrawn:
        Follow.objects.filter(user=user).delete()
        # Notification e-mails (answers to one's comments) ran on the same consent.
        Resident.objects.filter(user=user).update(email_notifications=False)
    forget(user)
    return withdrawn


def consent_ensure_current(user) -> Consent:
    """For demo and test data: a standing consent to the current version (idempotent)."""
    return consent_accept(user)


# --- Ways back ------------------------------------------------------------------------------


def accept_url(next_url: str = "") -> str:
    """The acceptance page, coming back to `next_url` afterwards."""
    url = reverse("privacy:consent_accept")
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def page_of(obj) -> str:
    """The public page of a rule's target, where the person comes back after accepting:
    a page's own URL, an assembly's for its polls and questions, a work's page. Empty when
    the target has none of its own (a comment)."""
    if obj is None:
        return ""
    try:
        for candidate in (obj, getattr(obj, "assembly", None)):
            url = getattr(candidate, "url", None)
            if isinstance(url, str) and url.startswith("/"):
                return url
        if obj._meta.label == "works.Work":
            return reverse("works:detail", args=[obj.code])
    except Exception:  # an explanation never fails: without a page, no way back to it
        return ""
    return ""


# --- /cuenta/mis-datos/ ---------------------------------------------------------------------


def page_context(user) -> dict:
    """The consent section of /cuenta/mis-datos/ (privacy/_consent.html)."""
    status = consent_status(user)
    return {
        "consent_status": status,
        "consent_history": consent_history(user),
        "consent_current_version": policy_version(current_version()),
        "consent_accept_url": accept_url(reverse("privacy:my_data") + "#consentimiento"),
    }
