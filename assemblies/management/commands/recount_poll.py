"""`manage.py recount_poll BUNDLE.zip`: recompute an assembly's published votes (online votes
plus room counts) from its recount bundle alone (no database) and say whether they match.

Exit status: 0 the recount matches, 1 it does not (the differences are listed), 2 the file
is not a readable bundle (the message says why). Never a traceback.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assemblies import bundle

MATCH, MISMATCH, UNREADABLE = 0, 1, 2


class Command(BaseCommand):
    help = (
        "Recompute the published votes of an assembly (online votes plus room counts) from "
        "its recount bundle (the ZIP offered on the assembly page) and say whether they match "
        "the published results. Exit 0: they match; 1: they do not; 2: the file is not a "
        "readable bundle."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("bundle", help="the recount bundle (ZIP) downloaded from the site")

    def handle(self, *args, **options):
        with translation.override(settings.LANGUAGE_CODE):
            return self._recount(options["bundle"])

    def _recount(self, path: str):
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror},
                returncode=UNREADABLE,
            ) from None
        try:
            report = bundle.recount(bundle.read(data))
        except bundle.BundleError as error:
            raise CommandError(error.message, returncode=UNREADABLE) from None
        for line in bundle.describe(report):
            self.stdout.write(line)
        if report.matches:
            self.stdout.write(self.style.SUCCESS(_("The recount matches the published results.")))
            return
        count = len(report.differences)
        raise CommandError(
            ngettext(
                "The recount does NOT match the published results (%(n)s difference).",
                "The recount does NOT match the published results (%(n)s differences).",
                count,
            )
            % {"n": count},
            returncode=MISMATCH,
        )
