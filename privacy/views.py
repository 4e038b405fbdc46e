"""/cuenta/mis-datos/: a resident's data rights in one page, and the download of one's
data (privacy.exports)."""

import zipfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import resident_of
from accounts.verification import method_label
from quitodecide import ratelimit
from quitodecide.errors import DomainError

from . import consent, deletion, exports
from .models import DataExport


@login_required
def my_data(request):
    resident = resident_of(request.user)
    context = {
        "resident": resident,
        "zone_name": resident.zone.name if resident and resident.zone_id else "",
        "parish_name": resident.parish.name if resident and resident.parish_id else "",
        "verification_method": (
            method_label(resident.verification_method)
            if resident and resident.verification_method
            else ""
        ),
    }
    context.update(exports.page_context(request.user))
    context.update(deletion.page_context(request.user))
    context.update(consent.page_context(request.user))
    return TemplateResponse(request, "privacy/my_data.html", context)


def _back():
    return redirect(reverse("privacy:my_data") + "#descargar")


@login_required
@require_POST
def export_request(request):
    """Ask for a new export (POST with CSRF); back to the page with what happened."""
    if exports.in_progress(request.user):
        # Not counted against the limit: nothing new was asked for.
        messages.info(request, exports.in_progress_message())
        return _back()
    try:
        ratelimit.limit(
            request,
            "privacy.export",
            exports.REQUESTS_PER_DAY,
            key="user",
            message=_("You asked for your data several times today. Please try again tomorrow."),
        )
        export = exports.export_request(user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return _back()
    export.refresh_from_db(fields=["status"])
    if export.status == DataExport.Status.READY:  # built at once (a worker was free)
        messages.success(request, _("Your data is ready: download it below."))
    else:
        messages.success(
            request,
            _("We are preparing your data. We will send you an e-mail when the download is ready."),
        )
    return _back()


@login_required
def export_download(request, pk):
    """The ZIP of one of the person's own exports: 404 for anyone else's."""
    export = get_object_or_404(DataExport, pk=pk, user=request.user)
    if not exports.is_downloadable(export):
        if export.status in (DataExport.Status.READY, DataExport.Status.EXPIRED):
            messages.error(
                request, _("This download has expired. You can ask for a new one below.")
            )
            return _back()
        raise Http404
    try:
        return exports.download_response(export)
    except (OSError, ValueError, zipfile.BadZipFile) as error:  # the file is gone or unreadable
        exports.logger.warning("Data export %s could not be served: %s", export.pk, error)
        messages.error(
            request, _("This download is not available. You can ask for a new one below.")
        )
        return _back()
