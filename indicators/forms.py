"""The filters of /indicadores/: zone and year, read one by one (a value that cannot be used
is reported and ignored, the other filter still applies)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from territory.models import Zone


class IndicatorFilterForm(forms.Form):
    zona = forms.ModelChoiceField(
        label=_("Zone"),
        queryset=Zone.objects.none(),
        to_field_name="slug",
        required=False,
        empty_label=_("Whole city"),
    )
    anio = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zona"].queryset = Zone.objects.order_by("name")
        self.fields["anio"].choices = [("", _("Latest year"))] + [
            (year, year) for year in sorted(years, reverse=True)
        ]

    def criteria(self) -> dict:
        """The usable values: {"zone_slug": ..., "year": ...} (None when not given or not
        usable)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        zone = data.get("zona") if "zona" not in self.errors else None
        year = data.get("anio") if "anio" not in self.errors else None
        return {"zone_slug": zone.slug if zone else None, "year": year}

    def ignored(self) -> list[str]:
        self.is_valid()
        return [str(self.fields[name].label) for name in self.fields if name in self.errors]
