"""Sign-up and profile forms. Validation messages come from services and validators."""

from allauth.core import context as allauth_context
from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from quitodecide import ratelimit
from territory.models import Parish, Zone

from . import services
from .cedula import validate_cedula
from .models import Resident

# Attempts that reach the uniqueness check, per account and per address (sign-up has no
# account yet: its address counts).
CEDULA_LOOKUP_RATES = [("user", "5/h"), ("ip", "20/h")]


def _privacy_label():
    return format_html(
        _(
            'I have read and accept the <a href="{url}">privacy policy</a>, and I consent to the '
            "processing of my personal data for taking part in Quito Decide."
        ),
        url="/privacidad/",
    )


class ParishChoiceField(forms.ModelChoiceField):
    """Parishes grouped by zone (optgroups), so the list works without JavaScript."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Parish.objects.select_related("zone"), **kwargs)

    def grouped_choices(self):
        groups: dict[str, list] = {}
        for parish in self.queryset.order_by("zone__name", "name"):
            groups.setdefault(parish.zone.name, []).append((parish.pk, parish.name))
        return [("", _("Choose your parish")), *groups.items()]


class ResidencyFieldsMixin(forms.Form):
    display_name = forms.CharField(
        label=_("Public display name"),
        max_length=80,
        required=False,
        help_text=_("Shown next to what you write. Leave it empty to appear as “Vecino/a”."),
    )
    zone = forms.ModelChoiceField(
        label=_("Zone where you live"),
        queryset=Zone.objects.order_by("name"),
        required=False,
        empty_label=_("Choose your zone"),
    )
    parish = ParishChoiceField(label=_("Parish where you live"), required=False)
    cedula = forms.CharField(
        label=_("Cédula (optional)"),
        max_length=13,
        required=False,
        help_text=_(
            "Only used so that each person votes once. We keep a keyed fingerprint "
            "of it, never the number."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def __init__(self, *args, request=None, **kwargs):
        # The request counts cédula look-ups per account and address; allauth builds the
        # sign-up form without it, but keeps the current request in its context.
        self.request = request
        super().__init__(*args, **kwargs)
        self.fields["parish"].choices = self.fields["parish"].grouped_choices()

    def clean_cedula(self):
        value = self.cleaned_data.get("cedula", "")
        if not value:
            return ""
        validate_cedula(value)  # a typo gets its message without counting as a look-up
        # Whether a cédula is taken is what a look-up reveals: limit who can ask how often.
        # (No request: the form is used outside a web request, e.g. from a shell.)
        request = self.request or allauth_context.request
        if request is not None:
            try:
                ratelimit.limits(
                    request,
                    "accounts.cedula_lookup",
                    CEDULA_LOOKUP_RATES,
                    message=_(
                        "You have checked several cédulas in a short time. Please try again "
                        "in an hour."
                    ),
                )
            except ratelimit.RateLimited as error:
                raise ValidationError(error.message, code="rate_limited") from None
        try:
            services.cedula_digest(value, exclude_resident=getattr(self, "resident", None))
        except ValidationError as error:
            raise ValidationError(
                error.message_dict.get("cedula", error.messages)
                if hasattr(error, "error_dict")
                else error.messages
            ) from None
        return validate_cedula(value)

    def clean(self):
        cleaned = super().clean()
        try:
            services.check_residency(cleaned.get("zone"), cleaned.get("parish"))
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class ResidentSignupForm(ResidencyFieldsMixin):
    """Extra fields on allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    privacy_consent = forms.BooleanField(
        label=lazy(_privacy_label, str)(),
        required=True,
        initial=False,
        error_messages={"required": _("You must accept the privacy policy to create an account.")},
    )

    def signup(self, request, user):
        data = self.cleaned_data
        try:
            services.resident_register(
                user=user,
                display_name=data.get("display_name", ""),
                zone=data.get("zone"),
                parish=data.get("parish"),
                cedula=data.get("cedula", ""),
                privacy_consent=data["privacy_consent"],
            )
        except ValidationError as error:  # lost a race with the same cédula
            raise forms.ValidationError(error.messages) from error


class ProfileForm(ResidencyFieldsMixin):
    email_notifications = forms.BooleanField(
        label=_("Send me e-mail when someone answers me"),
        required=False,
    )

    def __init__(self, *args, resident: Resident, **kwargs):
        self.resident = resident
        kwargs.setdefault(
            "initial",
            {
                "display_name": resident.display_name,
                "zone": resident.zone_id,
                "parish": resident.parish_id,
                "email_notifications": resident.email_notifications,
            },
        )
        super().__init__(*args, **kwargs)
        if resident.has_cedula and services.cedula_is_frozen(resident):
            # It is the person's voter key now: shown as registered, not replaceable here.
            self.fields["cedula"].disabled = True
            self.fields["cedula"].help_text = _(
                "Your cédula is registered and can no longer be changed here (your residency "
                "is verified or you have voted with it). If it is wrong, ask your zone's staff."
            )
        elif resident.has_cedula:
            self.fields["cedula"].help_text = _(
                "A cédula is already linked to your account. Type another one only to replace it."
            )
