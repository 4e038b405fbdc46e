"""The monthly update matrix in the Wagtail admin: upload a file, read its report, confirm
or discard it, download a template. The work is done by works.importer (rules, checks,
background tasks); these views only show it.

Staff reach only their zones' batches (another zone's batch is a 404, like a missing one);
the batches' audit entries are read through the same scope in the site history.
"""

import datetime
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from quitodecide import exports
from quitodecide.errors import DomainError, PermissionDenied
from territory.admin_scope import register_scope
from territory.models import Zone
from territory.permissions import staff_zones

from . import importer
from .models import ImportBatch, Work
from .status import FINAL

TEMPLATE_EXPORT = exports.register(
    "works.import_template",
    formats=["csv"],
    description="The monthly update matrix, filled with the zone's open works",
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Shown on the template only: the importer ignores it (an unknown column).
TITLE_COLUMN = "obra"
RUNNING = {ImportBatch.State.PENDING, ImportBatch.State.VALIDATING, ImportBatch.State.APPLYING}
REFRESH_SECONDS = 2

register_scope(ImportBatch, importer.batches_for)


def _require_staff(user) -> None:
    if staff_zones(user) == []:
        raise HttpForbidden(_("Only zone staff can import the monthly matrix."))


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Matrix file (CSV or XLSX)"),
        help_text=gettext_lazy("At most 5 MB and 20,000 rows."),
    )
    zone = forms.ChoiceField(label=gettext_lazy("Zone"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        zones = staff_zones(user)
        listed = Zone.objects.order_by("name") if zones is None else zones
        choices = [(str(zone.pk), zone.name) for zone in listed]
        if zones is None:
            choices.insert(0, ("", _("All zones (city-wide team)")))
            self.fields["zone"].required = False
        self.fields["zone"].choices = choices

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importer.MAX_FILE_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)d MB.")
                % {"size": importer.MAX_FILE_BYTES // 2**20}
            )
        return upload

    def chosen_zone(self):
        value = self.cleaned_data.get("zone")
        return Zone.objects.get(pk=value) if value else None


def index(request):
    """The upload form, the columns it expects and the latest batches."""
    _require_staff(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = importer.batch_upload(
                actor=request.user,
                zone=form.chosen_zone(),
                content=upload.read(),
                file_name=upload.name,
            )
        except ValidationError as error:
            form.add_error("file", error)
        except (DomainError, PermissionDenied) as error:
            form.add_error("file", error.message)
        else:
            return redirect("works_import:detail", pk=batch.pk)
    batches = importer.batches_for(request.user).order_by("-created_at", "-pk")[:30]
    return TemplateResponse(
        request,
        "works/admin/import_index.html",
        {
            "form": form,
            "batches": batches,
            "columns": COLUMN_HELP,
            "max_rows": importer.MAX_ROWS,
        },
    )


def _batch(request, pk) -> ImportBatch:
    _require_staff(request.user)
    return get_object_or_404(importer.batches_for(request.user), pk=pk)


def detail(request, pk):
    """A batch's state: its progress while it runs (the page reloads itself), then its
    report (errors by row and column) or what applying it will do."""
    batch = _batch(request, pk)
    running = batch.state in RUNNING
    return TemplateResponse(
        request,
        "works/admin/import_detail.html",
        {
            "batch": batch,
            "running": running,
            "refresh_seconds": REFRESH_SECONDS,
            "summary": batch.summary or {},
            "file_errors": [error for error in batch.errors if error.get("row") is None],
            "row_errors": [error for error in batch.errors if error.get("row") is not None],
            "more_errors": max(0, (batch.summary or {}).get("errors", 0) - len(batch.errors)),
            "can_apply": batch.state == ImportBatch.State.VALID
            and importer.may_import(request.user, batch.zone),
            "can_discard": batch.state in {ImportBatch.State.VALID, ImportBatch.State.INVALID},
        },
    )


@require_POST
def apply(request, pk):
    batch = _batch(request, pk)
    try:
        importer.batch_confirm(batch=batch, actor=request.user)
    except (DomainError, PermissionDenied) as error:
        messages.error(request, error.message)
    return redirect("works_import:detail", pk=batch.pk)


@require_POST
def discard(request, pk):
    batch = _batch(request, pk)
    try:
        importer.batch_discard(batch=batch, actor=request.user)
    except (DomainError, PermissionDenied) as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The import was discarded; nothing was written."))
    return redirect("works_import:index")


# --- the template -------------------------------------------------------------------------
TEMPLATE_HEADER = [*importer.COLUMNS, TITLE_COLUMN]


def template_rows(user) -> list[list]:
    """One row per open work of the user's zones, with its current figures and today's
    date: uploaded unchanged it changes nothing; staff edit the figures that moved."""
    zones = staff_zones(user)
    works = Work.objects.exclude(status__in=FINAL).select_related("parish", "zone")
    if zones is not None:
        works = works.filter(zone__in=zones)
    today = timezone.localdate()
    return [
        [
            work.code,
            today,
            work.status,
            work.physical_progress,
            work.financial_progress,
            work.amount_executed,
            work.parish.name if work.parish else "",
            "",
            work.title,
        ]
        for work in works.order_by("zone__name", "code")
    ]


def template_download(request, fmt):
    _require_staff(request.user)
    rows = template_rows(request.user)
    stem = f"matriz-obras-{timezone.localdate().isoformat()}"
    if fmt == "csv":
        return exports.csv_response(
            TEMPLATE_EXPORT, filename=stem, header=TEMPLATE_HEADER, rows=rows
        )
    if fmt != "xlsx":
        raise Http404
    import tablib

    sheet = tablib.Dataset(headers=TEMPLATE_HEADER, title=_("Monthly matrix"))
    for row in rows:
        # Text cells get the CSV's formula guard; numbers and dates stay typed cells.
        sheet.append(
            [cell if isinstance(cell, datetime.date) else exports.safe_cell(cell) for cell in row]
        )
    return FileResponse(
        io.BytesIO(sheet.export("xlsx")),
        as_attachment=True,
        filename=exports.safe_filename(stem, "xlsx"),
        content_type=XLSX_TYPE,
    )


# The columns as the upload page explains them (the module docstring of works.importer
# has the full rules).
COLUMN_HELP = [
    ("codigo", True, gettext_lazy("The work's public code, e.g. OB-2026-00012.")),
    (
        "fecha",
        True,
        gettext_lazy("Date of the update: 31/03/2026 or 2026-03-31 (or a date cell)."),
    ),
    (
        "estado",
        True,
        gettext_lazy(
            "planificada, en_contratacion, en_ejecucion, suspendida, finalizada or "
            "cancelada (or their names, e.g. “En ejecución”)."
        ),
    ),
    (
        "avance_fisico",
        True,
        gettext_lazy("Physical progress, 0 to 100, at most two decimals: 45, 45,5 or 45 %."),
    ),
    (
        "avance_financiero",
        True,
        gettext_lazy("Financial progress, 0 to 100, like the physical progress."),
    ),
    (
        "monto_ejecutado",
        False,
        gettext_lazy(
            "Executed amount in dollars: 1234,56, 1234.56, 1.234,56 or 1,234.56. A single "
            "separator before three digits (1.234) is refused: it could mean two things. "
            "Empty keeps the current amount."
        ),
    ),
    (
        "parroquia",
        False,
        gettext_lazy("Parish name or DPA code: a check, it must be in the work's zone."),
    ),
    (
        "observacion",
        False,
        gettext_lazy("What happened; required when a progress figure goes down."),
    ),
]


# --- wiring -------------------------------------------------------------------------------
urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/", detail, name="detail"),
    path("<int:pk>/aplicar/", apply, name="apply"),
    path("<int:pk>/descartar/", discard, name="discard"),
    path("plantilla.<str:fmt>", template_download, name="template"),
]


@hooks.register("register_admin_urls")
def register_import_urls():
    return [path("matriz-obras/", include((urlpatterns, "works_import"), namespace="works_import"))]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return staff_zones(request.user) != []


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    return ImportMenuItem(
        gettext_lazy("Monthly matrix"),
        reverse("works_import:index"),
        icon_name="table",
        order=262,
    )
