"""Forms for taking part in a consultation. Validation messages reach the user in Spanish."""

from django import forms
from django.utils.translation import gettext_lazy as _

from discussions.models import MAX_BODY_LENGTH, Stance


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Plain text, at most 3,000 characters. Links are allowed."),
    )
    stance = forms.ChoiceField(
        label=_("Your stance"),
        choices=Stance.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    proposed_wording = forms.CharField(
        label=_("Proposed wording for the article (optional)"),
        max_length=MAX_BODY_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    provision = forms.SlugField(required=False, widget=forms.HiddenInput)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, reply=False, on_article=True, **kwargs):
        super().__init__(*args, **kwargs)
        if reply:
            del self.fields["stance"]
            del self.fields["proposed_wording"]
            self.fields["body"].label = _("Your reply")
        else:
            self.fields["stance"].required = True
            self.fields["stance"].error_messages["required"] = _(
                "Choose whether you are in favour, against or neutral."
            )
            if not on_article:
                del self.fields["proposed_wording"]


class EditForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=MAX_BODY_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    stance = forms.ChoiceField(
        label=_("Your stance"), choices=Stance.choices, widget=forms.RadioSelect, required=False
    )
    proposed_wording = forms.CharField(
        label=_("Proposed wording for the article (optional)"),
        max_length=MAX_BODY_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
