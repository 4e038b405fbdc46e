"""One login, and the second factor for every security change.

- `login_elsewhere` stands in for every login view other than allauth's (Wagtail's
  `/admin/login/`, Wagtail's front-end `/_util/login/`): it authenticates nobody and sends
  to `/cuenta/login/` with `next` kept, so every login goes through allauth's rate limits,
  lockout, e-mail verification check and MFA step.
- `second_factor_required` wraps allauth's security views (TOTP, recovery codes, e-mail
  addresses, password). allauth accepts any recent reauthentication, the password
  included; for a user with a second factor that would let a stolen password replace the
  owner's authenticator. Such a user must have confirmed with the code in the last
  ACCOUNT_REAUTHENTICATION_TIMEOUT seconds.
"""

import time
from functools import wraps

from allauth.account import app_settings as account_settings
from allauth.account.authentication import get_authentication_records
from allauth.account.views import email, password_change, password_set
from allauth.core.exceptions import ReauthenticationRequired
from allauth.mfa.recovery_codes.views import (
    download_recovery_codes,
    generate_recovery_codes,
    view_recovery_codes,
)
from allauth.mfa.totp.views import activate_totp, deactivate_totp
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache

from .adapters import has_second_factor

ADMIN_HOME = "/admin/"


def _safe_next(request) -> str:
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _login_redirect(request, default_next: str = ""):
    url = reverse("account_login")
    next_url = _safe_next(request) or default_next
    if next_url:
        url = f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"
    return redirect(url)


@never_cache
def admin_login(request, *args, **kwargs):
    """Wagtail's admin login, closed: the site's login, then back to the admin."""
    return _login_redirect(request, default_next=ADMIN_HOME)


@never_cache
def login_elsewhere(request, *args, **kwargs):
    """Any other login view, closed: the site's login, with `next` kept."""
    return _login_redirect(request)


def reauthenticated_with_second_factor(request) -> bool:
    """Whether this session confirmed with a second factor (not the password) recently."""
    records = get_authentication_records(request, request.user)
    times = [
        record["at"]
        for record in records
        if record.get("method") == "mfa" and record.get("reauthenticated")
    ]
    return bool(times) and time.time() - max(times) < account_settings.REAUTHENTICATION_TIMEOUT


def second_factor_required(view=None, *, methods=None, keep_post=True):
    """Send a user who has a second factor to the code step unless the session confirmed
    with it recently. `methods` limits the check to some HTTP methods (None: all).

    With `keep_post`, a refused POST is kept by allauth and replayed after the code (the
    same as allauth's own reauthentication). Password forms pass `keep_post=False`: their
    POST holds passwords, which must not be stored in the session; the user types them
    again after the code."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if (
                (methods is None or request.method in methods)
                and has_second_factor(user)
                and not reauthenticated_with_second_factor(request)
            ):
                if request.method == "POST" and keep_post:
                    # allauth's middleware stashes the request and redirects to the
                    # first reauthentication method: the code step, for this user.
                    raise ReauthenticationRequired()
                query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
                return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
            return view_func(request, *args, **kwargs)

        wrapper.second_factor_required = True
        return wrapper

    return decorator(view) if view is not None else decorator


# allauth's security views, each behind the second factor.
secure_activate_totp = second_factor_required(activate_totp)
secure_deactivate_totp = second_factor_required(deactivate_totp)
secure_view_recovery_codes = second_factor_required(view_recovery_codes)
secure_download_recovery_codes = second_factor_required(download_recovery_codes)
secure_generate_recovery_codes = second_factor_required(generate_recovery_codes)
secure_email = second_factor_required(email, methods={"POST"})
secure_password_change = second_factor_required(password_change, keep_post=False)
secure_password_set = second_factor_required(password_set, keep_post=False)
