"""The allauth account adapter: which reauthentication counts, and who hears about changes.

- A user with a second factor reauthenticates with it: the password is not offered as a
  way to confirm a security change (`/cuenta/reauthenticate/` sends such a user to the code
  step). `accounts.views_security.second_factor_required` enforces the same on the views.
- Every security notice (password, e-mail, TOTP, recovery codes) goes to all the account's
  verified addresses, and to the address that was replaced or removed, in the site's
  language (Spanish): the notice is for the owner, who may not be the person whose browser
  made the change.
"""

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.utils import translation

REAUTHENTICATE_FLOW = "reauthenticate"  # allauth's id for reauthenticating by password


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

    def send_notification_mail(self, template_prefix, user, context=None, email=None) -> None:
        if not app_settings.EMAIL_NOTIFICATIONS:
            return
        with translation.override(settings.LANGUAGE_CODE):
            for address in notice_recipients(user, email, context):
                super().send_notification_mail(template_prefix, user, context, email=address)
