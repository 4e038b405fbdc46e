"""The empty seat's forms: the organisation's application (public, multipart) and the
secretariat's decision. The services check everything again (they are the authority)."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .empty_seat import MAX_DOCUMENT_BYTES, MAX_DOCUMENTS, REASON_MAX


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; the list goes to the service, which checks them."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [upload for upload in data if upload]
        return [data] if data else []


class ApplicationForm(forms.Form):
    organisation = forms.CharField(label=_("Name of the organisation"), max_length=200)
    legal_registration = forms.CharField(
        label=_("Legal registration"),
        max_length=120,
        help_text=_("The organisation's registry number (RUC, or the ministerial agreement)."),
    )
    legal_representative = forms.CharField(label=_("Legal representative"), max_length=200)
    delegate = forms.CharField(
        label=_("Delegate"),
        max_length=200,
        help_text=_("The person who takes the seat in the session, with voice and vote."),
    )
    delegate_email = forms.EmailField(label=_("Delegate's e-mail"))
    alternate = forms.CharField(
        label=_("Alternate (optional)"),
        max_length=200,
        required=False,
        help_text=_("Takes the seat if the delegate cannot attend."),
    )
    alternate_email = forms.EmailField(label=_("Alternate's e-mail (optional)"), required=False)
    contact_email = forms.EmailField(
        label=_("Contact e-mail"),
        help_text=_("We write here at each step: received, accredited or rejected."),
    )
    documents = MultipleFileField(
        label=_("Supporting documents (PDF)"),
        widget=MultipleFileInput(attrs={"accept": ".pdf,application/pdf"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Formatted per request (a lazy string formatted at import keeps one language).
        self.fields["documents"].help_text = gettext(
            "From 1 to %(count)d PDF files of up to %(size)d MB each: the organisation's legal "
            "registration, the appointment of its legal representative, and the letter that "
            "names the delegate."
        ) % {"count": MAX_DOCUMENTS, "size": MAX_DOCUMENT_BYTES // 2**20}
        if user is not None and not self.is_bound:
            self.initial.setdefault("contact_email", getattr(user, "email", ""))


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, reject: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.reject = reject
        field = self.fields["reason"]
        if reject:
            field.required = True
            field.error_messages["required"] = _("Give the reason for the rejection.")
            field.help_text = _("Required. The organisation receives it by e-mail.")
        else:
            field.label = _("Note (optional)")
            field.help_text = _("Sent to the organisation with the accreditation.")


class FilterForm(forms.Form):
    """The secretariat's list filters (GET): bad values are ignored, never a 500."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    item = forms.IntegerField(label=_("Agenda item"), required=False, min_value=1)
    upcoming = forms.BooleanField(label=_("Upcoming sessions only"), required=False)

    def __init__(self, *args, **kwargs):
        from .models import EmptySeatApplication

        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", _("Any status")),
            *EmptySeatApplication.Status.choices,
        ]
