"""Downloading one's data (LOPDP: access and portability): the request, the background
build of the ZIP, its download by its owner only, and its expiry.

One ZIP per request: `datos.json` (everything, nested), one CSV per section, and a short
`leeme.txt`, built through quitodecide.exports (formula-safe cells, checked member names).
The file is stored under a random name and served only by `download_response`, to its
owner, while it is ready and not expired; `purge_expired` deletes it after
DATA_EXPORT_DAYS. docs/privacy.md ("Downloading one's data") says why.
"""

import datetime
import io
import logging
import zipfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from quitodecide import exports
from quitodecide.errors import DomainError
from quitodecide.site_links import site_url

from . import export_data
from .models import DataExport

logger = logging.getLogger(__name__)

EXPORT = exports.register(
    "privacy.my_data",
    formats=["zip"],
    description="Everything the platform holds about the logged-in person (LOPDP).",
)
# How many exports one person may request per day (quitodecide.ratelimit), and after how
# long an export still waiting or being built is taken for dead (its worker stopped).
REQUESTS_PER_DAY = "3/d"
STALE_AFTER = datetime.timedelta(hours=1)
IN_PROGRESS = (DataExport.Status.PENDING, DataExport.Status.RUNNING)


class ExportInProgress(DomainError):
    """An export of this person is already waiting or being built."""


def failure_message() -> str:
    """What a failed export says on the page, stored in Spanish (the site's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "Your data could not be prepared. Please request the download again; if it "
            "fails again, write to us."
        )


def in_progress_message() -> str:
    return _("Your data is already being prepared. We will send you an e-mail when it is ready.")


def _fail_stale(user, now) -> None:
    DataExport.objects.filter(
        user=user, status__in=IN_PROGRESS, requested_at__lt=now - STALE_AFTER
    ).update(status=DataExport.Status.FAILED, finished_at=now, error=failure_message())


def in_progress(user, now=None) -> bool:
    """Whether an export of `user` is waiting or being built (one whose build died, older
    than STALE_AFTER, is marked failed first and does not count)."""
    _fail_stale(user, now or timezone.now())
    return DataExport.objects.filter(user=user, status__in=IN_PROGRESS).exists()


def export_request(*, user) -> DataExport:
    """Ask for a new export of `user`'s data; it is built in the background once the
    transaction commits. Refused while another one is waiting or being built."""
    from django.contrib.auth import get_user_model

    from .tasks import build_data_export

    now = timezone.now()
    with transaction.atomic():
        # Serialises two requests of the same person (PostgreSQL): one export at a time.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if in_progress(user, now):
            raise ExportInProgress(in_progress_message())
        export = DataExport.objects.create(user=user)
        transaction.on_commit(lambda: build_data_export.enqueue(export.pk))
    return export


# --- building ----------------------------------------------------------------------------------
def archive_files(user) -> dict[str, bytes]:
    """The ZIP's members for `user`, in the site's language: datos.json, one CSV per
    section, leeme.txt."""
    with translation.override(settings.LANGUAGE_CODE):
        data = export_data.collect(user)
        files = {"datos.json": exports.json_bytes(data)}
        profile = {f"perfil_{key}": value for key, value in (data["perfil"] or {}).items()}
        account = data["cuenta"] | profile
        files["cuenta.csv"] = exports.csv_bytes(
            ["campo", "valor"],
            [[key, _cell(value)] for key, value in account.items()],
        )
        for section in export_data.LIST_SECTIONS:
            header, rows = export_data.flat_rows(section, data[section])
            files[f"{section}.csv"] = exports.csv_bytes(header, rows)
        readme = render_to_string(
            "privacy/export_readme.txt",
            {"user": user, "generated": data["generado"], "days": settings.DATA_EXPORT_DAYS,
             "files": sorted(files)},
        )  # fmt: skip
        files["leeme.txt"] = readme.encode("utf-8")
    return files


def _cell(value):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return value


def _filename(export) -> str:
    return f"mis-datos-quito-decide-{timezone.localdate(export.requested_at):%Y-%m-%d}"


def build(export_id: int) -> str:
    """Build the ZIP of export `export_id` into its file (the background task's body).
    Returns the status it ended in. A failure leaves no file and a Spanish message."""
    claimed = DataExport.objects.filter(pk=export_id, status=DataExport.Status.PENDING).update(
        status=DataExport.Status.RUNNING
    )
    export = DataExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None:  # the account was deleted meanwhile
        return "missing"
    if not claimed:  # already built, or taken by another worker
        return export.status
    try:
        files = archive_files(export.user)
        response = exports.zip_response(EXPORT, filename=_filename(export), files=files)
        content = response.content
        export.file.save(f"{export.pk}.zip", ContentFile(content), save=False)
        now = timezone.now()
        export.status = DataExport.Status.READY
        export.size = len(content)
        export.finished_at = now
        export.expires_at = now + datetime.timedelta(days=settings.DATA_EXPORT_DAYS)
        export.error = ""
        export.save(update_fields=["file", "status", "size", "finished_at", "expires_at", "error"])
    except Exception:
        logger.exception("Data export %s failed", export_id)
        _discard_file(export)
        DataExport.objects.filter(pk=export_id).update(
            status=DataExport.Status.FAILED,
            file="",
            size=0,
            finished_at=timezone.now(),
            error=failure_message(),
        )
        return DataExport.Status.FAILED
    _announce(export)
    return export.status


def _discard_file(export) -> None:
    if export.file and export.file.name:
        try:
            export.file.storage.delete(export.file.name)
        except OSError:
            logger.exception("Could not delete the file of data export %s", export.pk)
        export.file.name = ""


def _announce(export) -> None:
    """The e-mail that says the download is ready, with the link to the page."""
    user = export.user
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "export": export,
            "url": site_url(reverse("privacy:my_data") + "#descargar"),
            "days": settings.DATA_EXPORT_DAYS,
        }
        subject = render_to_string("privacy/email/export_ready_subject.txt", context).strip()
        body = render_to_string("privacy/email/export_ready_body.txt", context)
    send_mail(subject, body, None, [user.email])


# --- serving and expiry ------------------------------------------------------------------------
def is_downloadable(export, now=None) -> bool:
    now = now or timezone.now()
    return (
        export.status == DataExport.Status.READY
        and bool(export.file)
        and export.expires_at is not None
        and export.expires_at > now
    )


def download_response(export):
    """The stored ZIP as an attachment, through the export module (which checks its members
    again), never cached on the way."""
    with export.file.open("rb") as handle:
        stored = handle.read()
    with zipfile.ZipFile(io.BytesIO(stored)) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    response = exports.zip_response(EXPORT, filename=_filename(export), files=files)
    response["Cache-Control"] = "private, no-store"
    return response


def purge_expired(now=None) -> int:
    """Delete the files of exports past their date (and mark them expired); mark exports
    whose build died as failed. Returns how many files were deleted. Called by the
    `purge_data_exports` command (scheduled daily)."""
    now = now or timezone.now()
    purged = 0
    due = DataExport.objects.filter(status=DataExport.Status.READY, expires_at__lte=now)
    for export in due:
        _discard_file(export)
        export.status = DataExport.Status.EXPIRED
        export.size = 0
        export.save(update_fields=["file", "status", "size"])
        purged += 1
    DataExport.objects.filter(status__in=IN_PROGRESS, requested_at__lt=now - STALE_AFTER).update(
        status=DataExport.Status.FAILED, finished_at=now, error=failure_message()
    )
    return purged


def page_context(user) -> dict:
    """The "Descargar mis datos" section of /cuenta/mis-datos/."""
    now = timezone.now()
    busy = in_progress(user, now)
    latest = DataExport.objects.filter(user=user).order_by("-requested_at", "-pk").first()
    return {
        "latest_export": latest,
        "export_in_progress": busy,
        "export_downloadable": latest is not None and is_downloadable(latest, now),
        "export_days": settings.DATA_EXPORT_DAYS,
    }
