"""Verification screens in the Wagtail admin: the request queue (zone staff), code sheets
(zone staff) and census files (the city-wide team). Views parse and render; the services
check the rule book (MFA included) and write the audit entries."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from quitodecide import rulebook
from quitodecide.errors import DomainError
from territory.permissions import staff_zones

from . import selectors, services
from .census import MAX_FILE_BYTES
from .forms import CensusUploadForm, CodeSheetForm, RejectForm, StaffVerifyForm
from .models import CensusBatch
from .uploads import keep_uploads_in_memory, only_in_memory


def _message(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error.message)


def _add_errors(form, error) -> None:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, _message(error))


def _require_zone_staff(user) -> None:
    if staff_zones(user) == []:
        raise HttpForbidden(_("Only zone staff can do this."))


# --- the request queue --------------------------------------------------------------------
def requests_index(request):
    _require_zone_staff(request.user)
    queue = selectors.open_requests_for(request.user)
    handled = (
        selectors.requests_for(request.user)
        .exclude(status="open")
        .order_by("-handled_at", "-pk")[:20]
    )
    return TemplateResponse(
        request,
        "verification/admin/requests.html",
        {"queue": queue[:200], "count": queue.count(), "handled": handled},
    )


def request_detail(request, pk):
    _require_zone_staff(request.user)
    item = get_object_or_404(selectors.requests_for(request.user), pk=pk)
    verify_form = StaffVerifyForm(prefix="verificar")
    reject_form = RejectForm(prefix="rechazar")
    if request.method == "POST":
        gate = rulebook.view_gate(request, "verification.handle_request", item)
        if gate is not None:
            return gate
        action = request.POST.get("action")
        try:
            if action == "verify":
                verify_form = StaffVerifyForm(request.POST, prefix="verificar")
                if verify_form.is_valid():
                    services.request_verify(
                        actor=request.user, request=item, **verify_form.cleaned_data
                    )
                    messages.success(
                        request, _("Residency verified; the resident will get an e-mail.")
                    )
                    return redirect("verification_admin:requests")
            elif action == "reject":
                reject_form = RejectForm(request.POST, prefix="rechazar")
                if reject_form.is_valid():
                    services.request_reject(
                        actor=request.user, request=item, **reject_form.cleaned_data
                    )
                    messages.success(
                        request, _("Request rejected; the resident will get an e-mail.")
                    )
                    return redirect("verification_admin:requests")
        except (DomainError, ValidationError) as error:
            _add_errors(verify_form if action == "verify" else reject_form, error)
    return TemplateResponse(
        request,
        "verification/admin/request_detail.html",
        {
            "item": item,
            "verify_form": verify_form,
            "reject_form": reject_form,
            "can_handle": rulebook.allowed(request.user, "verification.handle_request", item),
        },
    )


# --- code sheets --------------------------------------------------------------------------
@never_cache
def codes_index(request):
    """The sheets of the staff's zones, and the form that generates one. The generated
    codes are in the answer to that POST only (a print page): never stored, never shown
    again, not cached."""
    _require_zone_staff(request.user)
    form = CodeSheetForm(request.POST or None, zones=staff_zones(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        gate = rulebook.view_gate(request, "verification.issue_codes", data["zone"])
        if gate is not None:
            return gate
        try:
            sheet, codes = services.code_sheet_create(actor=request.user, **data)
        except (DomainError, ValidationError) as error:
            _add_errors(form, error)
        else:
            from django.urls import reverse

            from quitodecide.site_links import site_url

            return TemplateResponse(
                request,
                "verification/admin/code_sheet_print.html",
                {
                    "sheet": sheet,
                    "codes": codes,
                    "url": site_url(reverse("verification:index")),
                },
            )
    return TemplateResponse(
        request,
        "verification/admin/codes.html",
        {"form": form, "sheets": selectors.sheets_for(request.user)[:50]},
    )


# --- census files -------------------------------------------------------------------------
@csrf_exempt
def census_index(request):
    """Census files: the in-memory upload handler goes in before anything reads the body
    (hence csrf_exempt here, then csrf_protect around the view that reads it: Django's
    recipe for changing upload handlers)."""
    if request.method == "POST":
        keep_uploads_in_memory(request)
    return _census_index(request)


# For middleware that would read the body first (RefuseNulMiddleware): this view installs
# its own upload handlers and checks its fields itself (docs/privacy.md).
census_index.handles_own_uploads = True


@csrf_protect
def _census_index(request):
    user = request.user
    if staff_zones(user) is not None:
        raise HttpForbidden(_("Only the city-wide team can do this."))
    report = None
    form = CensusUploadForm()
    if request.method == "POST":
        too_big = not only_in_memory(request)
        form = CensusUploadForm(request.POST, None if too_big else request.FILES)
        if too_big:
            form.is_valid()
            form.errors.pop("file", None)
            form.add_error(
                "file",
                _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // 2**20},
            )
        elif form.is_valid():
            data = form.cleaned_data
            gate = rulebook.view_gate(request, "verification.upload_census", data["zone"])
            if gate is not None:
                return gate
            upload = data["file"]
            try:
                batch, report = services.census_upload(
                    actor=user, zone=data["zone"], label=data["label"], content=upload.read()
                )
            except (DomainError, ValidationError) as error:
                _add_errors(form, error)
            else:
                if batch is not None:
                    messages.success(
                        request,
                        _("Census file stored: %(rows)s people of %(zone)s.")
                        % {"rows": batch.rows, "zone": batch.zone.name},
                    )
                    if batch.kind == CensusBatch.Kind.PARISH:
                        messages.warning(
                            request,
                            _(
                                "This file has no dates of birth: anyone who knows a "
                                "listed person's cédula and parish can verify as them. "
                                "Replace it with a file with dates of birth when you can."
                            ),
                        )
                    return redirect("verification_admin:census")
            finally:
                upload.close()
    return TemplateResponse(
        request,
        "verification/admin/census.html",
        {"form": form, "report": report, "batches": selectors.batches_for(user)[:50]},
    )


@require_POST
def census_withdraw(request, pk):
    batch = get_object_or_404(selectors.batches_for(request.user), pk=pk)
    gate = rulebook.view_gate(request, "verification.upload_census", batch.zone)
    if gate is not None:
        return gate
    try:
        ended = services.census_withdraw(actor=request.user, batch=batch)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Census file withdrawn; %(count)s verifications based on it ended.")
            % {"count": ended},
        )
    return redirect("verification_admin:census")
