"""The questionnaire as a Django form built from a survey's questions: one field per
question named "q<pk>", plain HTML widgets that work without JavaScript (radios, check
boxes, the 1-5 scale as radios with labels, a text input, a text area). The services
validate again (`services.validate`); their per-question errors come back on the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Question

SCALE_LABELS = (
    ("1", _("1 (very poor)")),
    ("2", _("2 (poor)")),
    ("3", _("3 (fair)")),
    ("4", _("4 (good)")),
    ("5", _("5 (excellent)")),
)


def field_name(question) -> str:
    return f"q{question.pk}"


class SurveyForm(forms.Form):
    invitacion = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args, survey, token="", **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.questions = list(survey.questions.prefetch_related("choices"))
        self.fields["invitacion"].initial = token
        for question in self.questions:
            self.fields[field_name(question)] = self._field(question)

    @staticmethod
    def _field(question):
        common = {
            "label": question.text,
            "help_text": question.help_text,
            "required": question.required,
        }
        kind = Question.Kind
        if question.kind in (kind.SINGLE, kind.MULTIPLE):
            choices = [(str(c.pk), c.label) for c in question.choices.all()]
            if question.kind == kind.SINGLE:
                return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        if question.kind == kind.SCALE:
            return forms.ChoiceField(choices=SCALE_LABELS, widget=forms.RadioSelect, **common)
        if question.kind == kind.SHORT:
            return forms.CharField(max_length=services.SHORT_MAX, **common)
        return forms.CharField(
            max_length=services.LONG_MAX, widget=forms.Textarea(attrs={"rows": 5}), **common
        )

    def items(self):
        """(question, bound field) pairs in order, for the template."""
        return [(question, self[field_name(question)]) for question in self.questions]

    def answers(self) -> dict:
        """{question pk: value} from the cleaned data, for services.submit."""
        return {q.pk: self.cleaned_data.get(field_name(q)) for q in self.questions}

    def add_answer_errors(self, errors: dict) -> None:
        names = {q.pk: field_name(q) for q in self.questions}
        for pk, message in errors.items():
            self.add_error(names.get(pk), message)
