"""Forms of the verification pages: residents' (census, code, request) and staff's (census
upload, code sheet, a request's verdict)."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.cedula import validate_cedula
from accounts.verification import DocumentKind
from territory.models import Parish, Zone

from . import hashing
from .census import MAX_FILE_BYTES
from .services import MAX_CODES

DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"]


class ParishChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.zone.name})"


class NoValueTextInput(forms.TextInput):
    """A text input that never renders its value: a cédula typed is not echoed back in
    the page (after a failed look-up, in the browser's cache or history)."""

    def format_value(self, value):
        return None


class CensusForm(forms.Form):
    cedula = forms.CharField(
        label=_("Cédula number"),
        max_length=20,
        widget=NoValueTextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )
    born_on = forms.DateField(
        label=_("Date of birth"),
        input_formats=DATE_INPUTS,
        help_text=_("As on your cédula, e.g. 31/12/1980."),
        widget=forms.DateInput(attrs={"autocomplete": "bday"}),
    )
    parish = ParishChoiceField(
        label=_("Parish where you live"),
        queryset=Parish.objects.select_related("zone").order_by("zone__name", "name"),
    )

    def clean_cedula(self):
        return validate_cedula(self.cleaned_data["cedula"])

    def clean_born_on(self):
        value = self.cleaned_data["born_on"]
        if value > timezone.localdate() or value < datetime.date(1900, 1, 1):
            raise ValidationError(_("Enter your real date of birth."))
        return value


class CensusConfirmForm(forms.Form):
    """Confirming the residence a census gave. A parish census states the parish: then
    there is nothing to choose (`parish_fixed`), only to confirm. A birth-date census
    knows the zone: the person chooses a parish of it."""

    parish = forms.ModelChoiceField(
        label=_("Parish where you live"), queryset=Parish.objects.none()
    )

    def __init__(self, *args, zone, parish_fixed=False, **kwargs):
        super().__init__(*args, **kwargs)
        if parish_fixed:
            del self.fields["parish"]
        else:
            self.fields["parish"].queryset = Parish.objects.filter(zone=zone).order_by("name")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("The ten characters on your slip; spaces, hyphens and case do not matter."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_code(self):
        value = self.cleaned_data["code"]
        if not hashing.normalise_code(value):
            raise ValidationError(_("A code has ten letters and digits, like K7QXM-4TPRZ."))
        return value


class RequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message for the staff (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example, when you can come to the office. Do not write your cédula."),
    )


# --- staff ----------------------------------------------------------------------------------
class CensusUploadForm(forms.Form):
    zone = forms.ModelChoiceField(label=_("Zone"), queryset=Zone.objects.order_by("name"))
    label = forms.CharField(
        label=_("Source"),
        max_length=120,
        help_text=_("Where the list comes from, e.g. “CNE padrón 2026, Calderón”."),
    )
    file = forms.FileField(
        label=_("Census file (CSV)"),
        help_text=_("At most 2 MB. It is read in memory and never stored."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("The file is larger than %(size)s MB.") % {"size": 2})
        return upload


class CodeSheetForm(forms.Form):
    zone = forms.ModelChoiceField(label=_("Zone"), queryset=Zone.objects.none())
    label = forms.CharField(
        label=_("Event"), max_length=120, help_text=_("e.g. “Asamblea parroquial de Nono”.")
    )
    count = forms.IntegerField(
        label=_("Number of codes"), min_value=1, max_value=MAX_CODES, initial=40
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        input_formats=DATE_INPUTS,
        help_text=_("Codes not used by this date stop working."),
    )
    assembly = forms.ModelChoiceField(label=_("Assembly (optional)"), queryset=None, required=False)

    def __init__(self, *args, zones, **kwargs):
        from assemblies.models import AssemblyPage

        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = (
            Zone.objects.order_by("name")
            if zones is None
            else Zone.objects.filter(pk__in=[z.pk for z in zones]).order_by("name")
        )
        # Recent and coming assemblies; the service checks the one chosen is of the zone.
        since = timezone.now() - datetime.timedelta(days=60)
        self.fields["assembly"].queryset = AssemblyPage.objects.filter(
            starts_at__gte=since
        ).order_by("starts_at")
        if not self.is_bound:
            self.initial.setdefault(
                "expires_on", timezone.localdate() + datetime.timedelta(days=30)
            )


class StaffVerifyForm(forms.Form):
    """What staff record when they verify someone: the document seen and why."""

    document_kind = forms.ChoiceField(
        label=_("Document seen"),
        choices=[("", "---------"), *DocumentKind.choices],
        help_text=_("Never write down its number."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why you vouch for this residency, e.g. “utility bill in the parish seen”."),
    )
    cedula = forms.CharField(
        label=_("Number of the cédula seen"),
        required=False,
        max_length=20,
        widget=NoValueTextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
        help_text=_(
            "When the document is a cédula, type its number: it confirms the cédula of the "
            "profile (online voting needs it) or links it. Compared as a keyed hash, never "
            "stored."
        ),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the resident"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
