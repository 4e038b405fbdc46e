"""Real TOTP authenticators and real logins through allauth's views, for the account
security tests (takeover, MFA reauthentication, notices, rate limits)."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from allauth.mfa.utils import decrypt
from django.contrib.auth.models import Group
from django.core.cache import cache

from tests.factories import PASSWORD, UserFactory

STAFF_GROUP = "Editores zona Calderón"
CODE_STEP = "/cuenta/2fa/reauthenticate/"


def staff_with_totp(**kwargs):
    """A zone editor whose TOTP (and recovery codes) were set up with allauth's own API.
    Returns (user, secret): the secret is what the owner's phone holds."""
    user = UserFactory(**kwargs)
    user.groups.add(Group.objects.get(name=STAFF_GROUP))
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return user, secret


def totp_code(secret: str, forget_used_codes: bool = True) -> str:
    """The code the phone shows now. allauth refuses a code already used in its 30 s
    window (a person would wait for the next one), so by default the cache that records
    used codes is cleared (rate-limit tests pass False: their counters live there too);
    and a code is not taken in the last second of a window, which may end before allauth
    checks it."""
    if 30 - time.time() % 30 < 1.5:
        time.sleep(1.6)
    if forget_used_codes:
        cache.clear()
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def recovery_code(user) -> str:
    """One of the owner's unused recovery codes (printed on paper, in the story)."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return authenticator.wrap().get_unused_codes()[0]


def wrong_code(secret: str) -> str:
    """A code that is wrong in this window and its neighbours (the cache is left alone:
    the rate-limit counters live there)."""
    counter = int(time.time()) // 30
    near = {hotp_value(secret, counter + step) for step in (-1, 0, 1)}
    value = next(v for v in range(1_000_000) if v not in near)
    return format_hotp_value(value)


def login_with_code(client, user, secret):
    """The owner's real login: password at /cuenta/login/, then the code."""
    response = client.post("/cuenta/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/cuenta/2fa/authenticate/", response
    response = client.post("/cuenta/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302, response.content[:500]
    assert client.session["_auth_user_id"] == str(user.pk)
    return client


def confirm_with_code(client, secret, next_url=""):
    """The owner confirms a security change with the code (allauth's mfa_reauthenticate)."""
    url = CODE_STEP + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"code": totp_code(secret)})
    assert response.status_code == 302, response.content[:500]
    return response


def has_totp(user, secret=None) -> bool:
    return any(
        secret is None or decrypt(auth.data["secret"]) == secret
        for auth in Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)
    )


def password_only_session(client, user, password_reauthenticated=False):
    """What step 1 gave the attacker: a session logged in with the password alone (Wagtail's
    login called Django's `login()`, with no record of any second factor). With
    `password_reauthenticated`, also what step 2 gave: allauth's record of a password
    reauthentication just now (`reauthenticate_by_password` writes exactly this)."""
    client.force_login(user)
    if password_reauthenticated:
        session = client.session
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time(), "reauthenticated": True}
        ]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
    return client
