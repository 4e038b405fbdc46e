"""Public forms of training: registering for a session, checking a certificate."""

from django import forms
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.forms import ParishChoiceField


def _privacy_label():
    return format_html(
        _(
            'I have read the <a href="{url}">privacy notice</a> and I consent to the processing '
            "of my name, e-mail and parish to manage this registration and send me its e-mails "
            "(confirmation, evaluation and certificate)."
        ),
        url="/privacidad/",
    )


class RegistrationForm(forms.Form):
    """Without an account: name, e-mail, parish and the privacy notice. With one: the name
    for the certificate (its e-mail is the account's) and, optionally, the parish."""

    name = forms.CharField(
        label=gettext_lazy("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=gettext_lazy("As it should appear on the attendance certificate."),
        error_messages={"required": gettext_lazy("Write your full name.")},
    )
    email = forms.EmailField(
        label=gettext_lazy("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=gettext_lazy("We send the confirmation and the cancel link here."),
        error_messages={
            "required": gettext_lazy("Write your e-mail address."),
            "invalid": gettext_lazy("Write a valid e-mail address."),
        },
    )
    parish = ParishChoiceField(
        label=gettext_lazy("Parish where you live"),
        error_messages={
            "required": gettext_lazy("Choose your parish."),
            "invalid_choice": gettext_lazy("Choose a parish from the list."),
        },
    )
    privacy_consent = forms.BooleanField(
        label=lazy(_privacy_label, str)(),
        error_messages={
            "required": gettext_lazy("You must accept the privacy notice to register.")
        },
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parish"].choices = self.fields["parish"].grouped_choices()
        self.account = user if (user is not None and user.is_authenticated) else None
        if self.account is not None:
            from accounts.selectors import resident_of

            from .services import account_name

            del self.fields["email"]
            del self.fields["privacy_consent"]
            self.fields["parish"].required = False
            self.fields["name"].initial = account_name(self.account)
            resident = resident_of(self.account)
            if resident is not None and resident.parish_id:
                self.fields["parish"].initial = resident.parish_id


class VerifyForm(forms.Form):
    codigo = forms.CharField(
        label=gettext_lazy("Verification code"),
        max_length=30,
        help_text=gettext_lazy("As printed on the certificate, for example QD-ABCD-EFGH-JKMN."),
        error_messages={"required": gettext_lazy("Write the certificate's code.")},
    )
