"""Forms of the public works pages: the list's filters and a resident's observation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from discussions.models import MAX_BODY_LENGTH
from proposals.forms import PhotoField
from territory.models import Parish, Zone

from .models import Assessment, Work, WorkSource
from .status import WorkStatus

# Sort keys offered on the list (the values travel in the URL, so they stay short).
SORTS = {
    "reciente": _("Newest update"),
    "avance": _("Physical progress"),
    "monto": _("Assigned amount"),
    "codigo": _("Code"),
}
DEFAULT_SORT = "reciente"
PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = PAGE_SIZES[0]
# The GET parameters that choose the set of works (the list, the map and the downloads
# read the same ones); sorting and paging only order and cut it.
FILTER_FIELDS = ("zona", "parroquia", "estado", "anio", "origen")


class WorkFilterForm(forms.Form):
    """The filters of /obras/. Each field is read on its own: a value that is not valid
    (an unknown zone, a year that is not a number) is reported on its field and ignored,
    while the other filters still apply."""

    zona = forms.ModelChoiceField(
        label=_("Zone"),
        queryset=Zone.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("All zones"),
    )
    parroquia = forms.ModelChoiceField(
        label=_("Parish"),
        queryset=Parish.objects.none(),
        required=False,
        empty_label=_("All parishes"),
    )
    estado = forms.ChoiceField(label=_("Status"), required=False)
    anio = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    origen = forms.ChoiceField(label=_("Source"), required=False)
    orden = forms.ChoiceField(label=_("Sort by"), required=False)
    por_pagina = forms.TypedChoiceField(
        label=_("Per page"),
        required=False,
        coerce=int,
        empty_value=DEFAULT_PAGE_SIZE,
        choices=[(size, size) for size in PAGE_SIZES],
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zona"].queryset = Zone.objects.order_by("name")
        self.fields["parroquia"].queryset = Parish.objects.order_by("name", "pk")
        self.fields["estado"].choices = [("", _("All statuses")), *WorkStatus.choices]
        self.fields["anio"].choices = [("", _("All years"))] + [(y, y) for y in years]
        self.fields["origen"].choices = [("", _("All sources")), *WorkSource.choices]
        self.fields["orden"].choices = list(SORTS.items())

    def criteria(self) -> dict:
        """The valid values (invalid ones are left out, i.e. ignored)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}

    def ignored(self) -> list[str]:
        """The names of the filters given with a value that could not be used."""
        self.is_valid()
        return [name for name in self.fields if name in self.errors]


class ObservationForm(forms.Form):
    """ "¿Cómo va esta obra?": a verified resident's report from the ground."""

    assessment = forms.ChoiceField(
        label=_("How is this work going?"),
        choices=Assessment.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("What you saw"),
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say what you saw and when. Do not include anyone's personal data."),
    )
    photo = PhotoField(
        label=_("Photo (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP, at most 5 MB and 25 megapixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    photo_alt = forms.CharField(
        label=_("What the photo shows"),
        max_length=250,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("photo") and not (cleaned.get("photo_alt") or "").strip():
            self.add_error("photo_alt", _("Describe the photo for people who cannot see it."))
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "assessment": data["assessment"],
            "text": data["text"],
            "photo": data.get("photo") or None,
            "photo_alt": data.get("photo_alt") or "",
        }


def work_years() -> list[int]:
    """The years that have works, newest first (one query)."""
    return list(Work.objects.order_by("-year").values_list("year", flat=True).distinct())
