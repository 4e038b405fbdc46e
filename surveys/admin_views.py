"""The staff's survey screens in the Wagtail admin ("Encuestas"): the surveys of the
user's zones (city-wide ones for the city-wide team), a survey's settings, its questions
(add, edit, move, delete) and links to its results and CSV. Every screen asks the rule
book (surveys.manage, MFA included, per survey) and every write goes through
surveys.services. Plain forms: they work without JavaScript and on a phone."""

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from quitodecide import rulebook
from quitodecide.errors import DomainError
from territory.models import Zone

from . import services
from .models import Question, Survey

CITY = "ciudad"


def managed_zones(user) -> tuple[list, bool]:
    """(the zones whose surveys `user` manages, whether they manage city-wide ones)."""
    zones = [
        z
        for z in Zone.objects.order_by("name")
        if rulebook.allowed(user, services.MANAGE, Survey(zone=z))
    ]
    return zones, rulebook.allowed(user, services.MANAGE, Survey(zone=None))


def _gate(request, survey=None):
    """None when the user may manage `survey` (or some survey, when None)."""
    if survey is not None:
        return rulebook.view_gate(request, services.MANAGE, survey)
    zones, city = managed_zones(request.user)
    if zones or city:
        return None
    probe = Survey(zone=Zone.objects.order_by("pk").first())
    return rulebook.view_gate(request, services.MANAGE, probe)


class SurveyForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    slug = forms.SlugField(
        label=gettext_lazy("Slug"),
        max_length=80,
        help_text=gettext_lazy("The survey's address: /encuestas/<slug>/"),
    )
    intro = forms.CharField(
        label=gettext_lazy("Introduction"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    zone = forms.ChoiceField(label=gettext_lazy("Zone"))
    identity = forms.ChoiceField(label=gettext_lazy("Identity"), choices=Survey.Identity.choices)
    limit = forms.ChoiceField(label=gettext_lazy("Who answers"), choices=Survey.Limit.choices)
    opens_at = forms.DateTimeField(
        label=gettext_lazy("Opens"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Closes"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    is_published = forms.BooleanField(label=gettext_lazy("Published"), required=False)
    results_public = forms.BooleanField(
        label=gettext_lazy("Results public once closed"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        zones, city = managed_zones(user)
        choices = [(CITY, _("Whole city"))] if city else []
        choices += [(str(z.pk), z.name) for z in zones]
        self.fields["zone"].choices = choices
        self.zones = {str(z.pk): z for z in zones}

    def clean_zone(self):
        value = self.cleaned_data["zone"]
        return None if value == CITY else self.zones[value]


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Question.Kind.choices)
    text = forms.CharField(label=gettext_lazy("Question"), max_length=300)
    help_text = forms.CharField(label=gettext_lazy("Help text"), max_length=300, required=False)
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False, initial=True)
    choices = forms.CharField(
        label=gettext_lazy("Options"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Choice questions only: one option per line, in order."),
    )

    def labels(self):
        return [line for line in self.cleaned_data.get("choices", "").splitlines() if line.strip()]


def _survey_for(request, pk):
    survey = get_object_or_404(Survey.objects.select_related("zone"), pk=pk)
    if not rulebook.allowed(request.user, services.MANAGE, survey):
        raise Http404  # another zone's survey looks like a missing one
    return survey


@never_cache
def index(request):
    if (gate := _gate(request)) is not None:
        return gate
    zones, city = managed_zones(request.user)
    surveys = Survey.objects.filter(zone__in=zones).select_related("zone")
    if city:
        surveys = surveys | Survey.objects.filter(zone__isnull=True)
    surveys = list(surveys.annotate(count=Count("responses")).order_by("-opens_at")[:300])
    return TemplateResponse(request, "surveys/admin/index.html", {"surveys": surveys})


def _survey_values(data, survey=None):
    return {
        "title": data["title"],
        "slug": data["slug"],
        "intro": data["intro"],
        "zone": data["zone"],
        "identity": data["identity"],
        "limit": data["limit"],
        "opens_at": data["opens_at"],
        "closes_at": data["closes_at"],
        "is_published": data["is_published"],
        "results_public": data["results_public"],
        "purpose": survey.purpose if survey else Survey.Purpose.STANDALONE,
    }


@never_cache
def edit(request, pk=None):
    survey = _survey_for(request, pk) if pk else None
    if (gate := _gate(request, survey)) is not None:
        return gate
    initial = {}
    if survey is not None:
        initial = {
            "title": survey.title,
            "slug": survey.slug,
            "intro": survey.intro,
            "zone": str(survey.zone_id) if survey.zone_id else CITY,
            "identity": survey.identity,
            "limit": survey.limit,
            "opens_at": survey.opens_at,
            "closes_at": survey.closes_at,
            "is_published": survey.is_published,
            "results_public": survey.results_public,
        }
    form = SurveyForm(request.POST or None, user=request.user, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.survey_save(
                    actor=request.user, survey=survey, **_survey_values(form.cleaned_data, survey)
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Survey “%(title)s” saved.") % {"title": saved.title})
                return redirect("surveys_admin:questions", saved.pk)
        status = 400
    return TemplateResponse(
        request, "surveys/admin/edit.html", {"survey": survey, "form": form}, status=status
    )


def _question_initial(question):
    return {
        "kind": question.kind,
        "text": question.text,
        "help_text": question.help_text,
        "required": question.required,
        "choices": "\n".join(c.label for c in question.choices.all()),
    }


@never_cache
def questions(request, pk, question_id=None):
    survey = _survey_for(request, pk)
    if (gate := _gate(request, survey)) is not None:
        return gate
    question = get_object_or_404(survey.questions, pk=question_id) if question_id else None
    initial = _question_initial(question) if question else {"required": True}
    form = QuestionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.question_save(
                    actor=request.user,
                    survey=survey,
                    question=question,
                    kind=data["kind"],
                    text=data["text"],
                    help_text=data["help_text"],
                    required=data["required"],
                    choices=form.labels(),
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Question saved."))
                return redirect("surveys_admin:questions", survey.pk)
        status = 400
    return TemplateResponse(
        request,
        "surveys/admin/questions.html",
        {
            "survey": survey,
            "questions": list(survey.questions.prefetch_related("choices")),
            "question": question,
            "form": form,
            "answered": survey.responses.exists(),
        },
        status=status,
    )


@require_POST
def question_action(request, pk, question_id):
    survey = _survey_for(request, pk)
    if (gate := _gate(request, survey)) is not None:
        return gate
    question = get_object_or_404(survey.questions, pk=question_id)
    action = request.POST.get("action")
    try:
        if action in ("up", "down"):
            services.question_move(actor=request.user, question=question, up=action == "up")
        elif action == "delete":
            services.question_delete(actor=request.user, question=question)
            messages.success(request, _("Question deleted."))
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect("surveys_admin:questions", survey.pk)


urlpatterns = [
    path("", index, name="index"),
    path("nueva/", edit, name="add"),
    path("<int:pk>/", edit, name="edit"),
    path("<int:pk>/preguntas/", questions, name="questions"),
    path("<int:pk>/preguntas/<int:question_id>/", questions, name="question"),
    path("<int:pk>/preguntas/<int:question_id>/accion/", question_action, name="question_action"),
]
