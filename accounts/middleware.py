"""Staff must use two-factor authentication to enter the Wagtail admin."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .permissions import can_enter_admin

ADMIN_PREFIX = "/admin/"


def session_passed_mfa(request) -> bool:
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class StaffMfaRequiredMiddleware:
    """Inside /admin/: no authenticator yet -> set one up; not used this session -> log in
    again through it. The admin's own login is replaced by allauth's (WAGTAILADMIN_LOGIN_URL).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(ADMIN_PREFIX) and can_enter_admin(request.user):
            if not is_mfa_enabled(request.user):
                messages.warning(
                    request,
                    _(
                        "Staff must turn on two-factor authentication before entering the "
                        "administration."
                    ),
                )
                return redirect("mfa_activate_totp")
            if not session_passed_mfa(request):
                messages.warning(
                    request, _("Confirm your identity with your authentication code to continue.")
                )
                return redirect(f"{reverse('mfa_reauthenticate')}?next={request.path}")
        return self.get_response(request)
