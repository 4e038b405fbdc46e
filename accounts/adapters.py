"""The allauth account adapter: which reauthentication counts, and who hears about changes.

- A user with a second factor reauthenticates with it: the password is not offered as a
  way to confirm a security change (`/cuenta/reauthenticate/` sends such a user to the code
  step). `accounts.views_security.second_factor_required` enforces the same on the views.
- Every security notice (password, e-mail, TOTP, recovery codes) goes to all the account's
  verified addresses, and to the address that was replaced or removed, in the site's
  language (Spanish): the notice is for the owner, who may not be the person whose browser
  made the change.
- Every e-mail names the site "Quito Decide" and builds its links from SITE_BASE_URL
  (quitodecide.site_links), not from the host of the request that sent it.
- `next` survives sign-up: the confirmation link in the e-mail carries it, so whoever
  confirms (in this browser, where allauth resumes the pending login, or in another one,
  where they log in first: accounts.views.ConfirmEmailView) comes back to the page they
  signed up from.
- Staff land in the admin after logging in (unless `next` says otherwise).
"""

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from quitodecide.site_links import site_identity, site_url

REAUTHENTICATE_FLOW = "reauthenticate"  # allauth's id for reauthenticating by password
ADMIN_HOME = "/admin/"


def safe_next(request) -> str:
    """The request's `next` (query string or form), when it stays on this site."""
    if request is None:
        return ""
    candidate = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME)
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def staff_home(user) -> str:
    """Where a user lands when nothing else was asked: the admin for staff."""
    from quitodecide.mfa import is_staff_user

    return ADMIN_HOME if user and user.is_authenticated and is_staff_user(user) else ""


def _rebase(value, request):
    """An absolute URL that allauth built from the request, rebuilt on SITE_BASE_URL."""
    if request is None or not isinstance(value, str):
        return value
    origin = request.build_absolute_uri("/")
    if value.startswith(origin):
        return site_url(value[len(origin) - 1 :])
    return value


def has_second_factor(user) -> bool:
    return bool(user and user.is_authenticated and is_mfa_enabled(user))


def notice_recipients(user, email: str | None = None, context: dict | None = None) -> list[str]:
    """The account's verified addresses, plus the address the change was about (the old
    address of an e-mail change, the removed address), each once, in a stable order."""
    addresses = [email] if email else []
    if context and context.get("deleted_email"):
        addresses.append(context["deleted_email"])
    addresses += EmailAddress.objects.filter(user_id=user.pk, verified=True).values_list(
        "email", flat=True
    )
    recipients: list[str] = []
    seen: set[str] = set()
    for address in addresses:
        if address and address.lower() not in seen:
            seen.add(address.lower())
            recipients.append(address)
    return recipients


class AccountAdapter(DefaultAccountAdapter):
    def get_reauthentication_methods(self, user) -> list[dict]:
        methods = super().get_reauthentication_methods(user)
        if has_second_factor(user):
            methods = [method for method in methods if method["id"] != REAUTHENTICATE_FLOW]
        return methods

    def send_mail(self, template_prefix, email, context) -> None:
        request = self.request or allauth_context.request
        context = {key: _rebase(value, request) for key, value in context.items()}
        context["current_site"] = site_identity()
        super().send_mail(template_prefix, email, context)

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        url = site_url(reverse("account_confirm_email", args=[emailconfirmation.key]))
        next_url = safe_next(request)
        if next_url:
            url += "?" + urlencode({REDIRECT_FIELD_NAME: next_url})
        return url

    def get_login_redirect_url(self, request) -> str:
        return staff_home(request.user) or super().get_login_redirect_url(request)

    def send_notification_mail(self, template_prefix, user, context=None, email=None) -> None:
        if not app_settings.EMAIL_NOTIFICATIONS:
            return
        with translation.override(settings.LANGUAGE_CODE):
            for address in notice_recipients(user, email, context):
                super().send_notification_mail(template_prefix, user, context, email=address)
