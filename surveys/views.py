"""Public pages of the surveys: the list (/encuestas/), a questionnaire, its thank-you page,
the results with charts, the staff's text answers and the downloads. Views parse and render;
surveys.services checks the rule book and writes."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_ratelimit.core import is_ratelimited

from indicators.charts import bar_chart
from quitodecide import exports, ratelimit, rulebook
from quitodecide.errors import DomainError, PermissionDenied

from . import selectors, services
from .forms import SurveyForm
from .invitations import read_token, token_hash
from .models import Question, Survey

RESPONSES_EXPORT = exports.register(
    "surveys.responses",
    formats=("csv",),
    description="A survey's responses, one row per response (staff of the survey's zone).",
)
RESULTS_EXPORT = exports.register(
    "surveys.results",
    description="A survey's results: the count of each option and scale value per question.",
)
ATTEMPT_RATE = "30/h"
SUBMIT_RATE = "20/h"
# Invitations: counted per invitation (its token's hash), not per address: a training
# venue's attendees share one Wi-Fi address. A generous per-address cap stays.
INVITATION_ATTEMPT_RATE = "30/h"
INVITATION_SUBMIT_RATE = "10/h"
INVITATION_IP_RATE = "300/h"
TEXTS_PER_PAGE = 50


def _survey(request, slug) -> Survey:
    """The survey, published (or unpublished for its staff, a preview)."""
    survey = get_object_or_404(Survey.objects.select_related("zone"), slug=slug)
    if not survey.is_published and not rulebook.allowed(request.user, services.MANAGE, survey):
        raise Http404
    return survey


@require_GET
def index(request):
    open_now = list(selectors.open_surveys())
    city = [s for s in open_now if s.zone_id is None]
    zones = {}
    for survey in open_now:
        if survey.zone_id is not None:
            zones.setdefault(survey.zone, []).append(survey)
    by_zone = sorted(zones.items(), key=lambda item: item[0].name)
    return TemplateResponse(
        request,
        "surveys/index.html",
        {
            "city": city,
            "by_zone": by_zone,
            "closed": list(selectors.closed_with_public_results()[:50]),
        },
    )


def _invitation_refusal():
    return rulebook.Refusal(
        _("This invitation link is not valid. Use the link in the e-mail you received."),
        rulebook.RefusalKind.OTHER,
    )


def _already():
    return rulebook.Refusal(services.already_answered_message(), rulebook.RefusalKind.OTHER)


def _refusal(request, survey, token, invitation):
    """Why this person may not answer now (None when they may)."""
    if token:
        if invitation is None or invitation.survey.pk != survey.pk:
            return _invitation_refusal()
        if not rulebook.allowed(None, services.ANSWER_INVITED, invitation):
            return rulebook.explain(None, services.ANSWER_INVITED, invitation)
        return _already() if services.invitation_used(invitation) else None
    if not rulebook.allowed(request.user, services.ANSWER, survey):
        return rulebook.explain(request.user, services.ANSWER, survey)
    return _already() if services.has_answered(request.user, survey) else None


def _limit_invitation(request, group, rate, token) -> None:
    """Count one attempt of `group` for the invitation (per token) and for the address."""
    value = f"invitation:{token_hash(token)}"
    refused = is_ratelimited(
        request,
        group=f"{group}:invitation",
        key=lambda _group, _request: value,
        rate=rate,
        increment=True,
    )
    try:
        ratelimit.limit(request, f"{group}:invited", INVITATION_IP_RATE, key="ip")
    except ratelimit.RateLimited:
        refused = True
    if refused:
        raise ratelimit.RateLimited(_("Too many attempts in a short time. Please try again later."))


def _limit(request, group, rate, invitation_rate, token, invitation) -> None:
    if invitation is not None:
        _limit_invitation(request, group, invitation_rate, token)
    else:
        ratelimit.limit(request, group, rate)


@require_http_methods(["GET", "POST"])
def detail(request, slug):
    survey = _survey(request, slug)
    source = request.POST if request.method == "POST" else request.GET
    token = source.get("invitacion", "")
    token = token if isinstance(token, str) else ""
    invitation = read_token(token) if token else None
    refusal = _refusal(request, survey, token, invitation)
    form = SurveyForm(survey=survey, token=token)
    status = 200
    if request.method == "POST" and refusal is not None:
        status = 403
    elif request.method == "POST":
        form = SurveyForm(request.POST, survey=survey, token=token)
        try:
            _limit(
                request,
                "surveys.answer_attempt",
                ATTEMPT_RATE,
                INVITATION_ATTEMPT_RATE,
                token,
                invitation,
            )
            if form.is_valid():
                _limit(
                    request,
                    "surveys.answer",
                    SUBMIT_RATE,
                    INVITATION_SUBMIT_RATE,
                    token,
                    invitation,
                )
                if invitation is not None:
                    services.submit_invited(invitation, form.answers())
                else:
                    services.submit(request.user, survey, form.answers())
                return redirect("surveys:thanks", slug=survey.slug)
        except PermissionDenied as error:
            refusal = error.refusal or rulebook.Refusal(str(error.message))
            status = 403
        except services.AnswersInvalid as error:
            form.add_answer_errors(error.errors)
        except DomainError as error:
            form.add_error(None, str(error.message))
        if refusal is None and form.errors:
            status = 400
    login_url = f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"
    return TemplateResponse(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "form": form,
            "refusal": refusal,
            "login_url": login_url,
            "form_action": request.path,
            "can_see_results": rulebook.allowed(request.user, "surveys.view_results", survey),
            "can_manage": rulebook.allowed(request.user, services.MANAGE, survey),
        },
        status=status,
    )


@require_GET
def thanks(request, slug):
    survey = _survey(request, slug)
    return TemplateResponse(
        request,
        "surveys/thanks.html",
        {
            "survey": survey,
            "can_see_results": rulebook.allowed(request.user, "surveys.view_results", survey),
        },
    )


def _results_gate(request, survey):
    """None when the results may be shown; otherwise the response (MFA gate or 403)."""
    return rulebook.view_gate(request, "surveys.view_results", survey)


def _add_charts(items) -> None:
    """Give each item of selectors.results with rows its bar chart (item["chart"])."""
    for item in items:
        question = item["question"]
        item["chart"] = None
        if not item["rows"]:
            continue
        description = _("Number of answers per option.")
        if item["kind"] == Question.Kind.SCALE:
            description = _("Number of answers per value from 1 to 5.")
        item["chart"] = bar_chart(
            chart_id=f"question-{question.pk}",
            title=f"{question.position}. {question.text}",
            description=description,
            series=[_("Answers")],
            rows=[(label, [count]) for label, count in item["rows"]],
            unit=_("answers"),
        )


@require_GET
def results(request, slug):
    survey = _survey(request, slug)
    gate = _results_gate(request, survey)
    if gate is not None:
        return gate
    staff = rulebook.allowed(request.user, services.MANAGE, survey)
    items = selectors.results(survey)
    _add_charts(items)
    for item in items:
        if item["kind"] in (Question.Kind.SHORT, Question.Kind.LONG) and staff:
            item["texts"] = list(selectors.text_answers(item["question"])[:5])
    return TemplateResponse(
        request,
        "surveys/results.html",
        {
            "survey": survey,
            "items": items,
            "total": selectors.response_count(survey),
            "staff": staff,
        },
    )


@require_GET
def texts(request, slug, question_id):
    survey = _survey(request, slug)
    gate = rulebook.view_gate(request, services.MANAGE, survey)
    if gate is not None:
        return gate
    question = get_object_or_404(
        survey.questions.filter(kind__in=(Question.Kind.SHORT, Question.Kind.LONG)),
        pk=question_id,
    )
    page_text = request.GET.get("pagina", "1")
    page_number = int(page_text) if page_text.isascii() and page_text.isdigit() else 1
    page = Paginator(selectors.text_answers(question), TEXTS_PER_PAGE).get_page(page_number)
    return TemplateResponse(
        request,
        "surveys/texts.html",
        {"survey": survey, "question": question, "page": page},
    )


def _cell(answers, question):
    picked = [a for a in answers if a.question_id == question.pk]
    if not picked:
        return None
    if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        return "; ".join(a.choice.label for a in picked if a.choice_id)
    if question.kind == Question.Kind.SCALE:
        return picked[0].number
    return picked[0].text


@require_GET
def responses_csv(request, slug):
    survey = _survey(request, slug)
    gate = rulebook.view_gate(request, services.MANAGE, survey)
    if gate is not None:
        return gate
    questions = list(survey.questions.all())
    identified = survey.identity == Survey.Identity.IDENTIFIED
    # Anonymous surveys: the date only and the rows in the order of the (pseudo-random)
    # respondent keys, so neither the time nor the row number tells who answered.
    header = [_("response"), _("submitted")]
    if identified:
        header.append(_("respondent"))
    header += [f"{q.position}. {q.text}" for q in questions]
    rows = []
    responses = survey.responses.select_related("respondent").prefetch_related("answers__choice")
    order = ("submitted_at", "pk") if identified else ("respondent_key", "pk")
    for number, response in enumerate(responses.order_by(*order), start=1):
        answers = list(response.answers.all())
        submitted = response.submitted_at
        submitted = submitted if identified else timezone.localdate(submitted).isoformat()
        row = [number, submitted]
        if identified:
            who = response.respondent.email if response.respondent else response.respondent_name
            row.append(who)
        row += [_cell(answers, q) for q in questions]
        rows.append(row)
    services.log_export(actor=request.user, survey=survey, rows=len(rows))
    return exports.csv_response(
        RESPONSES_EXPORT, filename=f"respuestas-{survey.slug}", header=header, rows=rows
    )


@require_GET
def results_download(request, slug, fmt):
    if fmt not in RESULTS_EXPORT.formats:
        raise Http404
    survey = _survey(request, slug)
    gate = _results_gate(request, survey)
    if gate is not None:
        return gate
    rows = []
    for item in selectors.results(survey):
        question = item["question"]
        for label, count in item["rows"]:
            rows.append(
                {
                    "question": question.position,
                    "question_text": question.text,
                    "kind": question.kind,
                    "option": label,
                    "answers": count,
                    "mean": item["mean"],
                }
            )
    filename = f"resultados-{survey.slug}"
    if fmt == "json":
        data = {
            "survey": survey.title,
            "slug": survey.slug,
            "responses": selectors.response_count(survey),
            "results": rows,
        }
        return exports.json_response(RESULTS_EXPORT, filename=filename, data=data)
    header = ["question", "question_text", "kind", "option", "answers", "mean"]
    return exports.csv_response(RESULTS_EXPORT, filename=filename, header=header, rows=rows)
