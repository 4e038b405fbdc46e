"""Forms of the live page and the control panel. Validation of the rules themselves lives in
services.py; these only parse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ANNOUNCEMENT_MAX_LENGTH, QUESTION_MAX_LENGTH, Poll


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": QUESTION_MAX_LENGTH}),
        help_text=_("At most 500 characters. Staff read questions before they are shown."),
    )


class AnnouncementForm(forms.Form):
    text = forms.CharField(
        label=_("Announcement"),
        max_length=ANNOUNCEMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PollOpenForm(forms.Form):
    question = forms.CharField(label=_("Question to vote on"), max_length=300)
    options = forms.CharField(
        label=_("Options"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One option per line."),
        initial="Sí\nNo\nAbstención",
    )
    mode = forms.ChoiceField(
        label=_("Who votes"),
        choices=Poll.Mode.choices,
        widget=forms.RadioSelect,
        initial=Poll.Mode.BOTH,
    )

    def option_labels(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["options"].splitlines() if line.strip()]


class RoomCountsForm(forms.Form):
    """One whole-number field per option of a poll."""

    def __init__(self, *args, poll: Poll, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll = poll
        for option in poll.options.all():
            self.fields[f"option_{option.pk}"] = forms.IntegerField(
                label=option.label, min_value=0, initial=option.room_count
            )

    def counts(self) -> dict[int, int]:
        return {
            int(name.removeprefix("option_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("option_")
        }
