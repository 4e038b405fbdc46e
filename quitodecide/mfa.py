"""The one MFA gate for staff actions, wherever they happen.

Staff (anyone who may enter the Wagtail admin or acts for a zone) must have TOTP set up and
must have used it in the current session before any staff action: in the admin, on the
public staff pages (official answers, control panel, tallies, verdicts, envelopes, results),
over the WebSocket, and in staff-only reads (questions awaiting moderation).

How the gate is asked:
- `StaffMfaMiddleware` records on `request.user` whether this session passed MFA
  (`mark_session`), and sends staff entering `/admin/` through the gate.
- The rule book's `passed_mfa` predicate reads that mark, so every staff rule (and therefore
  every service, which asks the rule book) refuses a user whose session did not pass MFA.
  A user object that was not marked (loaded from the database by a task, say) fails closed.
- Views call `gate(request)` to turn a refusal into the right redirect (set up TOTP, or
  confirm with the code) instead of a bare 403; consumers call `mark_session` on the
  scope's user.
"""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

ADMIN_PREFIX = "/admin/"
_MARK = "_quitodecide_mfa_passed"


def session_passed_mfa(request) -> bool:
    """Whether the session of `request` (an HttpRequest or anything with `.user` and
    `.session`) authenticated with a second factor."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return False
    records = get_authentication_records(request, user)
    # A second factor turned off since (or replaced) no longer counts for this session.
    return any(record.get("method") == "mfa" for record in records) and is_mfa_enabled(user)


def mark_session(request) -> None:
    """Record on the request's user whether this session passed MFA (read by the rules)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        setattr(user, _MARK, session_passed_mfa(request))


def mark_user(user, passed: bool) -> None:
    """Mark a user object by hand: for tests and management commands acting as staff."""
    setattr(user, _MARK, bool(passed))


def user_passed_mfa(user) -> bool:
    return bool(user and user.is_authenticated and getattr(user, _MARK, False))


def is_staff_user(user) -> bool:
    """Whoever is subject to the gate: admin access, or a staff group of a zone or the city."""
    from territory.permissions import acts_as_staff

    return acts_as_staff(user)


def gate(request):
    """None when the request may go on to a staff action; otherwise the redirect that gets
    the user through the gate (log in, set up TOTP, confirm with the code)."""
    user = request.user
    if not user.is_authenticated:
        login = reverse("account_login")
        return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
    if not is_mfa_enabled(user):
        messages.warning(
            request,
            _("Staff must turn on two-factor authentication before acting as staff."),
        )
        return redirect("mfa_activate_totp")
    if not session_passed_mfa(request):
        messages.warning(
            request, _("Confirm your identity with your authentication code to continue.")
        )
        return redirect(
            f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}"
        )
    return None


class StaffMfaMiddleware:
    """Marks every request's user with the session's MFA state, and sends staff entering
    the admin through the gate. Listed after allauth's AccountMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        mark_session(request)
        if request.path.startswith(ADMIN_PREFIX) and is_staff_user(request.user):
            response = gate(request)
            if response is not None:
                return response
        return self.get_response(request)
