"""allauth form overrides for account security (set in ACCOUNT_FORMS)."""

from allauth.account.adapter import get_adapter
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm


class AddEmailForm(AllauthAddEmailForm):
    """Adding an address also tells the account's verified addresses: the new one only
    gets the confirmation link, and whoever holds it can later reset the password.

    The notice goes out whether or not the address turned out to belong to another
    account, so that it does not tell the two cases apart."""

    def save(self, request):
        email_address = super().save(request)
        get_adapter(request).send_notification_mail(
            "account/email/email_added", self.user, {"added_email": self.cleaned_data["email"]}
        )
        return email_address
