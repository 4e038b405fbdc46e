"""Forms for requests: the resident's request, the public filters, staff's verdict."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from territory.models import Parish

from .images import MAX_IMAGES, reencode
from .models import Request

# A generous box around the Distrito Metropolitano de Quito, to catch swapped or mistyped
# coordinates (a common slip is a positive longitude).
DMQ_LAT = (Decimal("-0.65"), Decimal("0.45"))
DMQ_LON = (Decimal("-79.10"), Decimal("-78.05"))


class PhotoField(forms.ImageField):
    """An optional photo, decoded in full and re-encoded while the form is validated: a
    damaged, truncated or oversized image is a field error here, and the service receives
    the clean copy (under a random name) and stores it without decoding it again."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        return reencode(upload) if upload else upload


class RequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Type"), choices=Request.Kind.choices, widget=forms.RadioSelect
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=150)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("What is needed, where, and whom it would benefit."),
    )
    parish = forms.ModelChoiceField(
        label=gettext_lazy("Parish"),
        queryset=Parish.objects.none(),
        empty_label=gettext_lazy("Choose a parish"),
    )
    barrio_name = forms.CharField(label=gettext_lazy("Barrio"), max_length=150)
    latitude = forms.DecimalField(
        label=gettext_lazy("Latitude (optional)"),
        required=False,
        max_digits=9,
        decimal_places=6,
        help_text=gettext_lazy("For example -0.098123. Find it on a map and copy it here."),
    )
    longitude = forms.DecimalField(
        label=gettext_lazy("Longitude (optional)"),
        required=False,
        max_digits=9,
        decimal_places=6,
        help_text=gettext_lazy("For example -78.421987."),
    )
    estimated_cost = forms.DecimalField(
        label=gettext_lazy("Estimated cost (USD)"),
        min_value=Decimal("1.00"),
        max_digits=12,
        decimal_places=2,
    )
    organisation = forms.CharField(
        label=gettext_lazy("Organisation (optional)"), max_length=150, required=False
    )

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parish"].queryset = Parish.objects.filter(zone=cycle.zone).order_by("name")
        for number in range(1, MAX_IMAGES + 1):
            self.fields[f"image_{number}"] = PhotoField(
                label=_("Photo %(number)s (optional)") % {"number": number},
                required=False,
                help_text=_("JPEG, PNG or WebP, at most 5 MB and 25 megapixels."),
                widget=forms.ClearableFileInput(
                    attrs={"accept": "image/jpeg,image/png,image/webp"}
                ),
            )
            self.fields[f"alt_{number}"] = forms.CharField(
                label=_("What photo %(number)s shows") % {"number": number},
                max_length=250,
                required=False,
            )

    def clean(self):
        cleaned = super().clean()
        lat, lon = cleaned.get("latitude"), cleaned.get("longitude")
        if (lat is None) != (lon is None) and "latitude" not in self.errors:
            self.add_error("longitude", _("Give both the latitude and the longitude, or neither."))
        elif (
            lat is not None
            and lon is not None
            and not (DMQ_LAT[0] <= lat <= DMQ_LAT[1] and DMQ_LON[0] <= lon <= DMQ_LON[1])
        ):
            self.add_error(
                "latitude", _("This point is outside the Metropolitan District of Quito.")
            )
        for number in range(1, MAX_IMAGES + 1):
            if cleaned.get(f"image_{number}") and not cleaned.get(f"alt_{number}", "").strip():
                self.add_error(
                    f"alt_{number}", _("Describe the photo for people who cannot see it.")
                )
        return cleaned

    def images(self):
        return [
            (self.cleaned_data[f"image_{n}"], self.cleaned_data[f"alt_{n}"].strip())
            for n in range(1, MAX_IMAGES + 1)
            if self.cleaned_data.get(f"image_{n}")
        ]

    def service_kwargs(self):
        data = self.cleaned_data
        fields = ["kind", "title", "description", "parish", "barrio_name", "latitude"]
        fields += ["longitude", "estimated_cost", "organisation"]
        return {name: data[name] for name in fields} | {"images": self.images()}


class RequestFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    parroquia = forms.ModelChoiceField(
        label=gettext_lazy("Parish"),
        queryset=Parish.objects.none(),
        required=False,
        empty_label=gettext_lazy("All parishes"),
    )
    tipo = forms.ChoiceField(label=gettext_lazy("Type"), required=False)
    estado = forms.ChoiceField(label=gettext_lazy("Status"), required=False)

    def __init__(self, *args, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parroquia"].queryset = Parish.objects.filter(zone=cycle.zone).order_by("name")
        self.fields["tipo"].choices = [("", _("All types")), *Request.Kind.choices]
        self.fields["estado"].choices = [("", _("All statuses")), *Request.Status.choices]


class VerdictForm(forms.Form):
    viable = forms.TypedChoiceField(
        label=gettext_lazy("Verdict"),
        choices=[("1", gettext_lazy("Viable")), ("0", gettext_lazy("Not viable"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    technical_cost = forms.DecimalField(
        label=gettext_lazy("Technical cost estimate (USD)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy(
            "Required when the request is viable: it is the cost on the ballot."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required when the request is not viable; the author reads it."),
    )
    notes = forms.CharField(
        label=gettext_lazy("Technical notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        viable = cleaned.get("viable")
        if viable is True and cleaned.get("technical_cost") is None:
            self.add_error("technical_cost", _("A viable request needs a technical cost estimate."))
        if viable is False and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Explain why the request is not viable."))
        return cleaned
