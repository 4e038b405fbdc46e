"""Forms of the live page and the control panel. Validation of the rules themselves lives in
services.py; these only parse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ANNOUNCEMENT_MAX_LENGTH, QUESTION_MAX_LENGTH, Poll
from .services import MAX_HAND_COUNT

# Ids come from hidden fields; anything beyond a 64-bit key cannot name a row.
MAX_ID = 2**63 - 1
# The years the index can be filtered by (assemblies are held from the platform's start).
FIRST_YEAR, LAST_YEAR = 2000, 2100


class IndexFilterForm(forms.Form):
    """`/asambleas/?zona=<slug>&anio=<year>`: a filter that does not parse is ignored."""

    zona = forms.SlugField(max_length=60, required=False)
    anio = forms.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR, required=False)

    def filters(self) -> dict:
        """Keyword arguments for `selectors.assembly_index`."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        year = data.get("anio")
        return {"zone_slug": data.get("zona") or "", "year": "" if year is None else str(year)}


class ControlActionForm(forms.Form):
    """The hidden fields a control-panel button posts: the action and the id of what it acts
    on (`targets`: "poll", "question" or "item"; the names mean other things in other
    actions' forms, e.g. the question of a new vote)."""

    action = forms.CharField(max_length=30)
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, targets: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        for name in targets:
            self.fields[name] = forms.IntegerField(
                min_value=1, max_value=MAX_ID, required=name != "item"
            )


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
                label=option.label,
                min_value=0,
                max_value=MAX_HAND_COUNT,
                initial=option.room_count,
            )

    def counts(self) -> dict[int, int]:
        return {
            int(name.removeprefix("option_")): value
            for name, value in self.cleaned_data.items()
            if name.startswith("option_")
        }
