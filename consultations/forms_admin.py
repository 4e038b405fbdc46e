"""The consultation's editor form: staff may upload the draft as a .txt or .md file."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

MAX_UPLOAD_BYTES = 500_000
ALLOWED_SUFFIXES = (".txt", ".md", ".markdown")


class ConsultationPageForm(WagtailAdminPageForm):
    draft_upload = forms.FileField(
        label=_("Or upload the draft"),
        required=False,
        help_text=_("A .txt or .md file (UTF-8, at most 500 KB). It replaces the text above."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Either the text box or the file; the model's clean() reports an empty draft.
        self.fields["draft_text"].required = False

    def clean_draft_upload(self):
        upload = self.cleaned_data.get("draft_upload")
        if not upload:
            return None
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(_("Upload a plain text (.txt) or Markdown (.md) file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 500 KB."))
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file is not UTF-8 text. Save it as UTF-8 and upload it again.")
            ) from None
        if "\x00" in text:
            raise forms.ValidationError(_("The file is not plain text."))
        return text

    def clean(self):
        cleaned = super().clean()
        uploaded = cleaned.get("draft_upload")
        if uploaded:
            cleaned["draft_text"] = uploaded
            self.instance.draft_text = uploaded
        return cleaned
