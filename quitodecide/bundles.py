"""Reading recount bundles (ZIP archives of CSV and JSON built by exports.zip_response),
shared by the budget cycles' and the assemblies' recounts.

A bundle comes from anyone (that is the point of it), so it is read defensively: a file that
is not a ZIP, lacks a member, has a member larger than MAX_MEMBER_BYTES (checked on the
header and again while reading, whatever the header says), an encrypted member or one in a
compression method zipfile lacks, text that is not UTF-8, or a CSV whose rows do not have
the header's cells: each is a BundleError with a message for the person, never a traceback.
"""

import csv
import io
import zipfile

from django.utils.translation import gettext as _

MAX_MEMBER_BYTES = 200 * 1024 * 1024


class BundleError(Exception):
    """The file is not a readable recount bundle (the message says why)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def read_members(data: bytes, wanted: list[str], *, not_this_kind: str) -> dict[str, str]:
    """The text of each `wanted` member. `not_this_kind` is the message when some are
    missing, with a %(files)s placeholder."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as error:
        message = _("The file is not a ZIP archive (%(error)s).") % {"error": error}
        raise BundleError(message) from None
    with archive:
        infos = {info.filename: info for info in archive.infolist()}
        missing = [name for name in wanted if name not in infos]
        if missing:
            raise BundleError(not_this_kind % {"files": ", ".join(missing)})
        texts = {}
        for name in wanted:
            too_large = _("%(file)s is too large to be read.") % {"file": name}
            if infos[name].file_size > MAX_MEMBER_BYTES:
                raise BundleError(too_large)
            try:
                with archive.open(name) as member:  # never more than the limit, whatever
                    raw = member.read(MAX_MEMBER_BYTES + 1)  # the header says
                if len(raw) > MAX_MEMBER_BYTES:
                    raise BundleError(too_large)
                texts[name] = raw.decode("utf-8-sig")
            except (
                zipfile.BadZipFile,
                OSError,
                EOFError,
                ValueError,  # also a member that is not UTF-8
                RuntimeError,  # an encrypted member
                NotImplementedError,  # a compression method zipfile lacks
            ) as error:
                message = _("%(file)s cannot be read (%(error)s).")
                raise BundleError(message % {"file": name, "error": error}) from None
    return texts


def read_csv(name: str, text: str, expected: list[str] | tuple[str, ...]) -> list[dict]:
    """The rows of a CSV member as dicts (with its line number under "_line"); it must have
    the `expected` columns and every row the header's number of cells."""
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if reader.fieldnames is None or [c for c in expected if c not in reader.fieldnames]:
            raise BundleError(
                _("%(file)s does not have the columns %(columns)s.")
                % {"file": name, "columns": ", ".join(expected)}
            )
        rows = []
        for row in reader:
            if None in row or None in row.values():
                raise BundleError(
                    _("%(file)s, line %(line)s: the number of cells is not the header's.")
                    % {"file": name, "line": reader.line_num}
                )
            row["_line"] = reader.line_num
            rows.append(row)
    except csv.Error as error:
        message = _("%(file)s is not a valid CSV file (%(error)s).")
        raise BundleError(message % {"file": name, "error": error}) from None
    return rows


# --- the recount commands -------------------------------------------------------------------
MATCH, MISMATCH, UNREADABLE = 0, 1, 2


class RecountCommand:
    """The body of `manage.py recount_cycle` and `recount_poll`: read a bundle file, recount
    it with `bundle_module.read`/`recount`/`describe`, say whether it matches. Exit 0 it
    matches, 1 it does not (the differences are listed), 2 the file is not a readable bundle
    (the message says why). Never a traceback. Mix in before BaseCommand."""

    bundle_module = None  # budgets.bundle or assemblies.bundle
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("bundle", help="the recount bundle (ZIP) downloaded from the site")

    def handle(self, *args, **options):
        from django.conf import settings
        from django.utils import translation

        with translation.override(settings.LANGUAGE_CODE):
            return self._recount(options["bundle"])

    def _recount(self, path: str):
        from pathlib import Path

        from django.core.management.base import CommandError
        from django.utils.translation import ngettext

        bundle = self.bundle_module
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": error.strerror},
                returncode=UNREADABLE,
            ) from None
        try:
            report = bundle.recount(bundle.read(data))
        except BundleError as error:
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
