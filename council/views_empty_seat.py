"""The empty seat's public pages: the application form for an agenda item, its
confirmation, and the applicant's "Mis solicitudes" (status, reason, withdraw). Views parse
and render; council.empty_seat checks the rule book and writes."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quitodecide import ratelimit, rulebook
from quitodecide.errors import DomainError, PermissionDenied

from . import empty_seat
from .forms_empty_seat import ApplicationForm
from .models import AgendaItem, EmptySeatApplication


def item_url(item) -> str:
    """The agenda item's public page (the council helper's URL)."""
    return reverse("council:item", args=[item.session_id, item.position])


def _add_errors(form, error) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        form.add_error(None, str(error.message))


def _refusal(request, item, closed: str):
    """Why this person may not apply now (None when they may)."""
    if closed:
        return rulebook.Refusal(closed, rulebook.RefusalKind.PHASE)
    if rulebook.allowed(request.user, "council.apply_empty_seat", item):
        return None
    return rulebook.explain(request.user, "council.apply_empty_seat", item)


@require_http_methods(["GET", "POST"])
def apply(request, item_id: int):
    item = get_object_or_404(
        AgendaItem.objects.select_related("session", "consultation"), pk=item_id
    )
    closed = empty_seat.closed_reason(item)
    refusal = _refusal(request, item, closed)
    form = ApplicationForm(user=request.user if request.user.is_authenticated else None)
    status = 200
    if request.method == "POST" and refusal is not None:
        status = 403
    elif request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES, user=request.user)
        try:
            ratelimit.limit(
                request, "council.empty_seat_attempt", empty_seat.ATTEMPT_RATE, key="user"
            )
            if form.is_valid():
                ratelimit.limit(
                    request, "council.empty_seat_submit", empty_seat.SUBMIT_RATE, key="user"
                )
                data = dict(form.cleaned_data)
                files = data.pop("documents")
                application = empty_seat.application_submit(
                    item=item, applicant=request.user, files=files, **data
                )
                return redirect("council:empty_seat_done", application.pk)
        except PermissionDenied as error:
            refusal = error.refusal or rulebook.Refusal(str(error.message))
            status = 403
        except (DomainError, ValidationError) as error:
            _add_errors(form, error)
        if refusal is None and form.errors:
            status = 400
    login_url = f"{reverse('account_login')}?{urlencode({'next': request.get_full_path()})}"
    return TemplateResponse(
        request,
        "council/empty_seat_apply.html",
        {
            "item": item,
            "session": item.session,
            "item_url": item_url(item),
            "form": form,
            "refusal": refusal,
            "closed": closed,
            "login_url": login_url,
            "max_documents": empty_seat.MAX_DOCUMENTS,
            "max_mb": empty_seat.MAX_DOCUMENT_BYTES // 2**20,
        },
        status=status,
    )


def _mine(request):
    return EmptySeatApplication.objects.filter(applicant=request.user).select_related(
        "item__session"
    )


def done(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    application = get_object_or_404(_mine(request), pk=pk)
    return TemplateResponse(
        request,
        "council/empty_seat_done.html",
        {
            "application": application,
            "item": application.item,
            "session": application.item.session,
            "item_url": item_url(application.item),
            "documents": application.documents.all(),
        },
    )


def mine(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    applications = list(_mine(request).order_by("-created_at", "-pk")[:200])
    for application in applications:
        item = application.item
        application.item_url = item_url(item)
        application.can_withdraw = (
            application.status in empty_seat.LIVE and item.session.empty_seat_open()
        )
    return TemplateResponse(request, "council/empty_seat_mine.html", {"applications": applications})


@require_POST
def withdraw(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("council:empty_seat_mine"))
    application = get_object_or_404(_mine(request), pk=pk)
    try:
        empty_seat.application_withdraw(application=application, actor=request.user)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("The application of %(organisation)s was withdrawn.")
            % {"organisation": application.organisation},
        )
    return redirect("council:empty_seat_mine")
