"""Staff forms of a cycle: parish envelopes and assembly tallies."""

from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .allocation import CRITERIA
from .services import CRITERIA_MAX, MAX_ATTENDEES

ACTA_EXTENSIONS = {".pdf", ".jpg", ".jpeg", ".png"}
ACTA_MAX_BYTES = 10 * 1024 * 1024
ACTA_SIGNATURES = (b"%PDF", b"\xff\xd8\xff", b"\x89PNG")

# (max_digits, decimal_places) of each parish figure, as the columns store them; the
# population is a whole number, unmet needs a percentage.
CRITERIA_DIGITS = {
    "population": (8, 0),
    "unmet_needs": (5, 2),
    "density": (10, 2),
    "infrastructure_needs": (8, 2),
}

CRITERIA_LABELS = {
    "population": gettext_lazy("Population"),
    "unmet_needs": gettext_lazy("Unmet basic needs (%)"),
    "density": gettext_lazy("Density (inhabitants/km²)"),
    "infrastructure_needs": gettext_lazy("Infrastructure needs index"),
}


class EnvelopesForm(forms.Form):
    """One row per parish: the amount (by hand) and the four figures (for the weights)."""

    def __init__(self, *args, parishes, envelopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.parishes = parishes
        for parish in parishes:
            envelope = envelopes.get(parish.pk)
            self.fields[f"amount_{parish.pk}"] = forms.DecimalField(
                label=_("Envelope of %(parish)s (USD)") % {"parish": parish.name},
                min_value=0,
                max_digits=14,
                decimal_places=2,
                required=False,
                initial=envelope.amount if envelope else None,
            )
            for criterion in CRITERIA:
                max_digits, decimal_places = CRITERIA_DIGITS[criterion]
                self.fields[f"{criterion}_{parish.pk}"] = forms.DecimalField(
                    label=_("%(figure)s of %(parish)s")
                    % {"figure": CRITERIA_LABELS[criterion], "parish": parish.name},
                    min_value=0,
                    max_value=CRITERIA_MAX[criterion],
                    max_digits=max_digits,
                    decimal_places=decimal_places,
                    required=False,
                    initial=getattr(envelope, criterion, None) if envelope else None,
                )

    def is_valid(self, action=None):
        valid = super().is_valid()
        if valid and action == "weighted":
            for parish in self.parishes:
                for criterion in CRITERIA:
                    name = f"{criterion}_{parish.pk}"
                    if self.cleaned_data.get(name) is None:
                        self.add_error(name, _("Enter this figure to compute with weights."))
        return valid and not self.errors

    def rows(self):
        return [
            {
                "parish": parish,
                "amount": self[f"amount_{parish.pk}"],
                "figures": [self[f"{criterion}_{parish.pk}"] for criterion in CRITERIA],
            }
            for parish in self.parishes
        ]

    def amounts(self):
        return {
            parish: self.cleaned_data.get(f"amount_{parish.pk}") or 0 for parish in self.parishes
        }

    def figures(self):
        return {
            parish: {c: self.cleaned_data[f"{c}_{parish.pk}"] for c in CRITERIA}
            for parish in self.parishes
        }


def validate_acta(upload) -> None:
    """A PDF or photo of the signed minutes, checked by its first bytes, at most 10 MB."""
    if upload.size > ACTA_MAX_BYTES:
        raise ValidationError(
            _("The file weighs %(size)s; the maximum is %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(ACTA_MAX_BYTES)}
        )
    head = upload.read(8)
    upload.seek(0)
    if Path(upload.name).suffix.lower() not in ACTA_EXTENSIONS or not head.startswith(
        ACTA_SIGNATURES
    ):
        raise ValidationError(_("Upload the acta as a PDF, JPEG or PNG file."))
    if not _acta_is_whole(upload, is_pdf=head.startswith(b"%PDF")):
        raise ValidationError(_("The file is damaged or incomplete: upload the acta again."))


def _acta_is_whole(upload, *, is_pdf: bool) -> bool:
    """A PDF ends with its end-of-file marker; a photo decodes (Pillow checks it)."""
    try:
        if is_pdf:
            upload.seek(max(upload.size - 1024, 0))
            return b"%%EOF" in upload.read()
        from PIL import Image

        with Image.open(upload) as image:
            image.verify()
        return True
    except Exception:  # any decoding error means the file is not a usable acta
        return False
    finally:
        upload.seek(0)


class TallyForm(forms.Form):
    held_on = forms.DateField(
        label=gettext_lazy("Date of the assembly"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    attendees = forms.IntegerField(
        label=gettext_lazy("Attendees"), min_value=0, max_value=MAX_ATTENDEES
    )
    acta = forms.FileField(
        label=gettext_lazy("Signed minutes (acta)"),
        required=False,
        validators=[validate_acta],
        help_text=gettext_lazy("PDF, JPEG or PNG, at most 10 MB."),
    )

    def __init__(self, *args, options, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.existing = existing
        counts = {}
        if existing is not None:
            counts = {line.request_id: line.votes for line in existing.lines.all()}
            self.fields["held_on"].initial = existing.held_on
            self.fields["attendees"].initial = existing.attendees
            self.fields["acta"].help_text = _(
                "An acta is already on file; upload another only to replace it."
            )
        for option in options:
            self.fields[f"votes_{option.pk}"] = forms.IntegerField(
                label=_("Votes for %(title)s") % {"title": option.title},
                min_value=0,
                max_value=MAX_ATTENDEES,
                initial=counts.get(option.pk, 0),
            )

    def clean(self):
        cleaned = super().clean()
        if self.existing is None and not cleaned.get("acta") and "acta" not in self.errors:
            self.add_error("acta", _("Upload the signed minutes (acta) of the assembly."))
        attendees = cleaned.get("attendees")
        if attendees is not None:
            for option in self.options:
                name = f"votes_{option.pk}"
                if (cleaned.get(name) or 0) > attendees:
                    self.add_error(
                        name,
                        _("More votes than the assembly had attendees (%(n)s).") % {"n": attendees},
                    )
        return cleaned

    def vote_fields(self):
        return [self[f"votes_{option.pk}"] for option in self.options]

    def votes(self):
        return {option.pk: self.cleaned_data[f"votes_{option.pk}"] for option in self.options}


class NoValueTextInput(forms.TextInput):
    """A text input that never writes a value back into the page: the cédula typed at a
    booth is not echoed in any response (on an error the field comes back empty)."""

    def format_value(self, value):
        return None


class BoothVoteForm(forms.Form):
    """One person's vote at a booth: their cédula (checked here, hashed by the service),
    the booth's label, the choices and the staff member's confirmation."""

    cedula = forms.CharField(
        label=gettext_lazy("Voter's cédula"),
        max_length=20,
        help_text=gettext_lazy(
            "Ten digits, as on the identity card. It is not stored: only a keyed code that "
            "stops the same person voting twice."
        ),
        widget=NoValueTextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    mesa = forms.CharField(
        label=gettext_lazy("Booth or place"),
        max_length=120,
        required=False,
        help_text=gettext_lazy("For example “Mesa 1, casa comunal”. It is kept for the next vote."),
    )
    proyectos = forms.MultipleChoiceField(
        label=gettext_lazy("Projects chosen by the voter"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one project.")},
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I checked the voter's identity card, and these are the voter's own choices."
        ),
        error_messages={"required": gettext_lazy("Confirm the voter's identity and choices.")},
    )

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proyectos"].choices = [(str(option.pk), option.title) for option in options]

    def clean_cedula(self):
        from accounts.cedula import validate_cedula

        return validate_cedula(self.cleaned_data["cedula"])

    def chosen(self) -> set[int]:
        """The projects ticked, valid or not (to keep them ticked on an error)."""
        values = self.data.getlist("proyectos") if hasattr(self.data, "getlist") else []
        return {int(value) for value in values if str(value).isdigit()}
