"""Import of a zone's social actors in the Wagtail admin: upload a CSV or XLSX file for
one of the user's zones, read the row-by-row report (nothing is written), then import it
(all rows or none: actors.importer). A template with the columns can be downloaded.

Between the check and the import the file is kept in the private storage under a random
name that only the uploader's session knows; importing deletes it, and every upload first
deletes the files of abandoned checks older than six hours (actors.uploads)."""

import contextlib
import secrets

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from quitodecide import exports
from quitodecide.errors import DomainError
from quitodecide.storage import private_storage
from territory.admin_scope import register_scope
from territory.models import Zone
from territory.permissions import staff_zones

from . import importer, selectors, services
from .models import ActorImport
from .uploads import FOLDER, purge_stale_uploads

TEMPLATE_EXPORT = exports.register(
    "actors.import_template",
    formats=["csv"],
    description="The columns of the social actors' import, with one example row",
)
# The imports' audit entries are read through the same scope in the site history.
register_scope(ActorImport, selectors.imports_for)
SESSION_KEY = "actors_import"

COLUMN_HELP = [
    ("nombre", True, gettext_lazy("The actor's name.")),
    ("tipo", True, gettext_lazy("Type of actor (see the values below).")),
    ("parroquia", True, gettext_lazy("Name or DPA code of a parish of the zone.")),
    ("barrio", False, gettext_lazy("Barrio.")),
    ("estado_legal", True, gettext_lazy("Legal status (see the values below).")),
    ("registro", False, gettext_lazy("Agreement or registry number of the legal personality.")),
    ("miembros", False, gettext_lazy("Number of members (a whole number).")),
    ("anio_mapeo", True, gettext_lazy("Year mapped, e.g. 2025.")),
    ("fuente", True, gettext_lazy("Source: administracion_zonal or universidad.")),
    ("nombre_fuente", False, gettext_lazy("Name of the source, e.g. the university.")),
    ("descripcion", False, gettext_lazy("Description.")),
    ("latitud", False, gettext_lazy("Latitude, e.g. -0.180653 (with the longitude).")),
    ("longitud", False, gettext_lazy("Longitude, e.g. -78.467834 (with the latitude).")),
    ("contacto_nombre", False, gettext_lazy("Contact person (seen by staff only).")),
    ("contacto_correo", False, gettext_lazy("Contact e-mail (seen by staff only).")),
    ("contacto_telefono", False, gettext_lazy("Contact phone (seen by staff only).")),
    (
        "publicar_contacto",
        False,
        gettext_lazy("si when the actor consents to publishing the contact; otherwise no."),
    ),
    (
        "activo",
        False,
        gettext_lazy("si or no; empty or absent keeps the actor as it is (a new one is active)."),
    ),
]
EXAMPLE = [
    "Comité Pro Mejoras San Juan",
    "comite_barrial",
    "Calderón",
    "San Juan",
    "con_personeria",
    "ACU-2021-015",
    45,
    2025,
    "administracion_zonal",
    "",
    "",
    "",
    "",
    "",
    "",
    "",
    "no",
    "",
]


def _require_staff(user) -> None:
    if staff_zones(user) == []:
        raise HttpForbidden(_("Only zone staff can import social actors."))


def _zones(user):
    zones = staff_zones(user)
    return list(Zone.objects.order_by("name")) if zones is None else zones


class UploadForm(forms.Form):
    zone = forms.ChoiceField(label=gettext_lazy("Zone"))
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=gettext_lazy("At most 2 MB and 5,000 rows."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].choices = [(str(zone.pk), zone.name) for zone in _zones(user)]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importer.MAX_FILE_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)d MB.")
                % {"size": importer.MAX_FILE_BYTES // 2**20}
            )
        return upload

    def chosen_zone(self):
        return Zone.objects.get(pk=self.cleaned_data["zone"])


def _forget(request) -> None:
    pending = request.session.pop(SESSION_KEY, None)
    if pending and pending.get("path"):
        with contextlib.suppress(OSError):
            private_storage().delete(pending["path"])


def index(request):
    """The upload form; after an upload, the report (and the import button if valid)."""
    _require_staff(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    report = pending = None
    if request.method == "POST":
        purge_stale_uploads()
    if request.method == "POST" and form.is_valid():
        zone = form.chosen_zone()
        if not services.may_manage(request.user, zone):
            form.add_error("zone", _("You cannot import actors of this zone."))
        else:
            upload = form.cleaned_data["file"]
            content = upload.read(importer.MAX_FILE_BYTES + 1)
            report = importer.check_content(content, zone=zone)
            _forget(request)
            if report.ok:
                name = f"{FOLDER}/{secrets.token_hex(16)}.bin"
                stored = private_storage().save(name, ContentFile(content))
                token = secrets.token_urlsafe(16)
                pending = {
                    "token": token,
                    "path": stored,
                    "zone": zone.pk,
                    "name": (upload.name or "")[:255],
                    "sha256": importer.sha256_of(content),
                }
                request.session[SESSION_KEY] = pending
    imports = selectors.imports_for(request.user)
    return TemplateResponse(
        request,
        "actors/admin/import.html",
        {
            "form": form,
            "report": report,
            "summary": report.summary() if report else None,
            "file_errors": [e for e in report.errors if e["row"] is None] if report else [],
            "row_errors": [e for e in report.errors if e["row"] is not None] if report else [],
            "row_lines": report.lines if report and report.ok else [],
            "more_lines": max(0, report.rows - len(report.lines)) if report and report.ok else 0,
            "more_errors": max(0, report.error_count - len(report.errors)) if report else 0,
            "pending": pending,
            "columns": COLUMN_HELP,
            "kinds": services.Actor.Kind.choices,
            "statuses": services.Actor.LegalStatus.choices,
            "sources": services.Actor.Source.choices,
            "imports": imports[:20],
            "max_rows": importer.MAX_ROWS,
        },
    )


@require_POST
def apply(request):
    _require_staff(request.user)
    pending = request.session.get(SESSION_KEY)
    if not pending or not secrets.compare_digest(
        str(pending.get("token", "")), str(request.POST.get("token", ""))
    ):
        messages.error(request, _("Upload and check the file again: nothing was imported."))
        return redirect("actors_import:index")
    zone = Zone.objects.filter(pk=pending.get("zone")).first()
    try:
        with private_storage().open(pending["path"], "rb") as stored:
            content = stored.read()
    except (OSError, KeyError):
        content = None
    if zone is None or content is None:
        _forget(request)
        messages.error(request, _("Upload and check the file again: nothing was imported."))
        return redirect("actors_import:index")
    try:
        record = importer.apply_content(
            content, actor=request.user, zone=zone, file_name=pending.get("name", "")
        )
    except importer.Rejected:
        messages.error(
            request,
            _("The actors changed since the check: upload the file again. Nothing was imported."),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Imported: %(created)d actors created, %(updated)d updated.")
            % {"created": record.created, "updated": record.updated},
        )
    _forget(request)
    return redirect("actors_import:index")


@require_GET
def template_download(request):
    _require_staff(request.user)
    return exports.csv_response(
        TEMPLATE_EXPORT,
        filename="actores-sociales-plantilla",
        header=list(importer.COLUMNS),
        rows=[EXAMPLE],
    )


urlpatterns = [
    path("", index, name="index"),
    path("importar/", apply, name="apply"),
    path("plantilla.csv", template_download, name="template"),
]
