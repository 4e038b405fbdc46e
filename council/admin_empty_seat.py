"""The council secretariat's empty-seat screens in the Wagtail admin: the applications
(filtered by status, item, upcoming sessions), one application with all its fields and
documents, the accredit and reject forms, and the documents' download.

Who: the secretariat's group after MFA, and nobody else (zone staff and the city-wide team
get the 403 page; a secretariat member whose session did not pass MFA is sent through the
MFA gate). Reading asks `council.manage`; deciding asks `council.accredit` (before the
deadline); the services ask again and write the audit entry.

The documents are streamed from the private storage as attachments (`application/pdf`,
`nosniff`, not cached). quitodecide.exports builds CSV, JSON and ZIP downloads of our own
data; a stored PDF is a file someone uploaded, so it is served here with Django's
FileResponse and the export module's safe file name.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from quitodecide import exports, rulebook
from quitodecide.errors import DomainError

from . import empty_seat
from .forms_empty_seat import DecisionForm, FilterForm
from .models import AgendaItem, EmptySeatApplication, EmptySeatDocument
from .rules import is_secretariat

LIST_LIMIT = 200


def _applications():
    return EmptySeatApplication.objects.select_related("item__session", "applicant", "decided_by")


@never_cache
def index(request):
    if (gate := rulebook.view_gate(request, "council.manage")) is not None:
        return gate
    form = FilterForm(request.GET or None)
    applications = _applications().annotate(document_count=Count("documents"))
    item = None
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            applications = applications.filter(status=data["status"])
        if data["item"]:
            item = AgendaItem.objects.select_related("session").filter(pk=data["item"]).first()
            applications = applications.filter(item_id=data["item"])
        if data["upcoming"]:
            applications = applications.filter(item__session__starts_at__gte=timezone.now())
    applications = applications.order_by(
        "-item__session__starts_at", "item__position", "created_at"
    )
    count = applications.count()
    return TemplateResponse(
        request,
        "council/admin/empty_seat_index.html",
        {
            "form": form,
            "applications": list(applications[:LIST_LIMIT]),
            "count": count,
            "limit": LIST_LIMIT,
            "item": item,
        },
    )


def _add_errors(form, error) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    elif isinstance(error, ValidationError):
        form.add_error(None, error.messages)
    else:
        form.add_error(None, str(error.message))


@never_cache
def detail(request, pk: int):
    if (gate := rulebook.view_gate(request, "council.manage")) is not None:
        return gate
    application = get_object_or_404(_applications(), pk=pk)
    item = application.item
    accredit_form = DecisionForm(prefix="acreditar")
    reject_form = DecisionForm(prefix="rechazar", reject=True)
    status = 200
    if request.method == "POST":
        if (gate := rulebook.view_gate(request, "council.accredit", item)) is not None:
            return gate
        action = request.POST.get("action")
        accredit = action == "accredit"
        if action not in ("accredit", "reject"):
            raise Http404
        form = DecisionForm(
            request.POST, prefix="acreditar" if accredit else "rechazar", reject=not accredit
        )
        if accredit:
            accredit_form = form
        else:
            reject_form = form
        if form.is_valid():
            try:
                empty_seat.application_decide(
                    application=application,
                    actor=request.user,
                    accredit=accredit,
                    reason=form.cleaned_data["reason"],
                )
            except (DomainError, ValidationError) as error:
                _add_errors(form, error)
            else:
                text = (
                    _("%(organisation)s accredited; the organisation will get an e-mail.")
                    if accredit
                    else _("%(organisation)s rejected; the organisation will get an e-mail.")
                )
                messages.success(request, text % {"organisation": application.organisation})
                return redirect("empty_seat_admin:detail", application.pk)
        status = 400
    return TemplateResponse(
        request,
        "council/admin/empty_seat_detail.html",
        {
            "application": application,
            "item": item,
            "session": item.session,
            "documents": list(application.documents.all()),
            "accredit_form": accredit_form,
            "reject_form": reject_form,
            "can_decide": rulebook.allowed(request.user, "council.accredit", item),
            "closed": empty_seat.closed_reason(item),
            "others": list(
                EmptySeatApplication.objects.filter(item=item)
                .exclude(pk=application.pk)
                .order_by("created_at")
            ),
        },
        status=status,
    )


@never_cache
def document(request, pk: int):
    """A supporting document, to the secretariat only, as an attachment."""
    if (gate := rulebook.view_gate(request, "council.manage")) is not None:
        return gate
    row = get_object_or_404(EmptySeatDocument.objects.select_related("application"), pk=pk)
    try:
        handle = row.file.open("rb")
    except (FileNotFoundError, OSError, ValueError) as error:
        raise Http404 from error
    stem = (
        row.original_name[:-4] if row.original_name.lower().endswith(".pdf") else row.original_name
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=exports.safe_filename(stem, "pdf"),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/", detail, name="detail"),
    path("documento/<int:pk>/", document, name="document"),
]


@hooks.register("register_admin_urls")
def register_empty_seat_urls():
    return [
        path(
            "silla-vacia/",
            include((urlpatterns, "empty_seat_admin"), namespace="empty_seat_admin"),
        )
    ]


class SecretariatItem(MenuItem):
    def is_shown(self, request):
        return is_secretariat(request.user)


@hooks.register("register_admin_menu_item")
def register_empty_seat_menu():
    return SecretariatItem(
        gettext_lazy("Empty seat (silla vacía)"),
        reverse("empty_seat_admin:index"),
        icon_name="group",
        order=262,
    )
