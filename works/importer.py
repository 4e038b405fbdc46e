"""The monthly update matrix: staff report the status and progress of many works in one
spreadsheet. Every row is checked before anything is written; applying is one transaction
that checks every row again, under lock, and writes all of them or none.

The file
- CSV or XLSX, told apart by content (never by the name). CSV: UTF-8 with or without BOM,
  else Windows-1252/Latin-1; cells separated by `,` or `;` (whichever the header line uses;
  a tab works too). XLSX: the first sheet, read with openpyxl (tablib[xlsx]); legacy XLS,
  ODS, other ZIP files and damaged or oversized archives are refused.
- At most MAX_FILE_BYTES (5 MB) and MAX_ROWS (20,000) rows of data.
- The first non-empty row is the header. Empty rows are skipped. Rows are numbered as the
  spreadsheet numbers them (the header is row 1 when nothing comes before it).

The columns (header names match ignoring case, accents, spaces and a note in brackets, so
"Avance físico (%)" is avance_fisico; other columns are ignored; a missing required column
is one error for the whole file):
  codigo             required. The work's public code (OB-2026-00012); case is ignored.
  fecha              required. The date of the update: 2026-03-31 or 31/03/2026, or a date
                     cell in XLSX. Not in the future, not before the work's last update.
  estado             required. planificada, en_contratacion, en_ejecucion, suspendida,
                     finalizada, cancelada or their names ("En ejecución", "Under way"),
                     ignoring case, accents, spaces and hyphens.
  avance_fisico      required. Percent 0 to 100 with at most two decimals: 45, 45,5, 45.5,
  avance_financiero  "45 %". An XLSX cell formatted as a percentage (0.45 shown as 45 %) is 45.
  monto_ejecutado    optional. USD executed so far (see AMOUNTS below); empty keeps the
                     work's figure.
  parroquia          optional. DPA code (170155) or name (Calderón) of a parish. A check
                     only: it must be a parish of the work's zone; the work's parish is
                     changed in the work's form, not here.
  observacion        optional; required when a progress figure goes down (it says why).

AMOUNTS (unambiguous, or refused): ASCII digits, an optional leading "$".
- No separator, or one `.` or `,` followed by one or two digits: that is the decimal
  separator ("1234", "1234.56", "1234,5").
- Separators every three digits group thousands; the other mark, if any, separates the
  cents: "1.234,56", "1,234.56", "1.234.567", "1,234,567".
- One separator followed by exactly three digits ("1.234", "1,234") could be either and is
  refused: write 1234 or 1234,00. Mixed or misplaced separators, spaces inside, signs and
  more than two decimals are refused. XLSX number cells are taken as numbers (to the cent).
Digits in other scripts (Arabic-Indic, full-width...) are not numbers here.

What a row does
- A row whose figures equal the work's current ones (services.is_no_change), or equal an
  update the work already has on that date, changes nothing and is skipped: applying a file
  twice changes nothing. Uploading a file that was already applied (same SHA-256) is
  reported before anything else.
- Several rows for one work are taken in date order (file order within a date), each
  checked against the state the previous ones leave.
- Zone staff import their zone's works; the city-wide team any zone's. Each row is asked
  to the rule book ("works.import_matrix" on the work's zone, "works.post_update" on the
  work) and to services.check_new_update, so the rules are the admin form's.

Lifecycle of an ImportBatch: PENDING -> VALIDATING -> VALID | INVALID; VALID -> APPLYING ->
APPLIED (or INVALID when the works changed in between: nothing is written then) | DISCARDED.
The uploaded file is kept only while it may still be applied (PENDING to APPLYING) and is
deleted when the batch becomes INVALID, APPLIED, FAILED or DISCARDED. Validation and apply
run as background tasks (django.tasks), updating rows_done/rows_total as they go.

Audit: one entry per batch, on the ImportBatch (upload, apply, discard); each update it
writes names its batch (WorkUpdate.batch), so a work's history says where it came from.
"""

import codecs
import datetime
import hashlib
import io
import logging
import re
import unicodedata
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from quitodecide import rulebook
from quitodecide.errors import DomainError, PermissionDenied
from quitodecide.mfa import mark_user
from territory.models import Parish
from territory.permissions import staff_zones

from . import audit
from .models import ImportBatch, Work, WorkUpdate
from .services import check_new_update, is_no_change
from .status import WorkStatus

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 60
# An XLSX is a ZIP: refuse archives that unpack to far more than a real matrix would.
MAX_UNZIPPED_BYTES = 80 * 1024 * 1024
MAX_ZIP_MEMBERS = 200
MAX_REPORTED_ERRORS = 1000
PROGRESS_EVERY = 500
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # Work.amount_executed: 14 digits, 2 decimals

COLUMNS = (
    "codigo",
    "fecha",
    "estado",
    "avance_fisico",
    "avance_financiero",
    "monto_ejecutado",
    "parroquia",
    "observacion",
)
REQUIRED_COLUMNS = ("codigo", "fecha", "estado", "avance_fisico", "avance_financiero")
# check_new_update's fields -> the matrix's columns.
FIELD_COLUMNS = {
    "date": "fecha",
    "status": "estado",
    "physical_progress": "avance_fisico",
    "financial_progress": "avance_financiero",
    "amount_executed": "monto_ejecutado",
    "text": "observacion",
}


class FileProblem(Exception):
    """The file as a whole cannot be read as a matrix (the message says why, for staff)."""

    def __init__(self, message: str, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.column = column


class NotANumber(ValueError):
    pass


# --- values -------------------------------------------------------------------------------
def normalized(text: str) -> str:
    """Lower case, no accents, runs of spaces/hyphens/underscores as one underscore."""
    text = unicodedata.normalize("NFKD", str(text).strip().casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[\s\-_]+", "_", text).strip("_")


def header_key(text) -> str:
    """A header cell as a column name: "Avance físico (%)" -> "avance_fisico"."""
    return normalized(re.sub(r"\(.*?\)", " ", "" if text is None else str(text)))


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


_PERCENT = re.compile(r"([0-9]{1,3})(?:[.,]([0-9]{1,2}))?")
_DECIMAL = re.compile(r"([0-9]+)(?:[.,]([0-9]{1,2}))?")
_DOT_GROUPS = re.compile(r"([0-9]{1,3}(?:\.[0-9]{3})+)(?:,([0-9]{1,2}))?")
_COMMA_GROUPS = re.compile(r"([0-9]{1,3}(?:,[0-9]{3})+)(?:\.([0-9]{1,2}))?")
_AMBIGUOUS = re.compile(r"[0-9]{1,3}[.,][0-9]{3}")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_DMY_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")


def _number_cell(value) -> Decimal | None:
    """An XLSX number cell as a Decimal to the cent; None when `value` is not one."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite():
        raise NotANumber
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_percent(value) -> Decimal:
    """A percentage 0-100 with at most two decimals (see the module docstring)."""
    number = _number_cell(value)
    if number is None:
        if not isinstance(value, str):
            raise NotANumber
        text = value.strip().removesuffix("%").strip()
        match = _PERCENT.fullmatch(text)
        if not match:
            raise NotANumber
        number = Decimal(f"{match[1]}.{match[2] or '0'}")
    if not (Decimal("0") <= number <= Decimal("100")):
        raise NotANumber
    return number.quantize(CENT)


def parse_amount(value) -> Decimal:
    """An amount in USD, not negative, to the cent (the rule: module docstring, AMOUNTS)."""
    number = _number_cell(value)
    if number is None:
        if not isinstance(value, str):
            raise NotANumber
        text = value.strip().removeprefix("$").strip()
        if _AMBIGUOUS.fullmatch(text):
            raise NotANumber
        for pattern, thousands in ((_DECIMAL, ""), (_DOT_GROUPS, "."), (_COMMA_GROUPS, ",")):
            match = pattern.fullmatch(text)
            if match:
                whole = match[1].replace(thousands, "") if thousands else match[1]
                number = Decimal(f"{whole}.{match[2] or '0'}")
                break
        else:
            raise NotANumber
    if number < 0 or number > MAX_AMOUNT:
        raise NotANumber
    return number.quantize(CENT)


def parse_date(value) -> datetime.date:
    """A date: an XLSX date cell, or the text YYYY-MM-DD or DD/MM/YYYY."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise ValueError
    text = value.strip()
    match = _ISO_DATE.fullmatch(text)
    if match:
        return datetime.date(int(match[1]), int(match[2]), int(match[3]))
    match = _DMY_DATE.fullmatch(text)
    if match:
        return datetime.date(int(match[3]), int(match[2]), int(match[1]))
    raise ValueError


def status_names() -> dict[str, str]:
    """Every accepted spelling of each status (normalised) -> its value: the values (which
    are also the Spanish names without accents) and the names in each language."""
    names = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for status in WorkStatus:
                names[normalized(str(status.label))] = status.value
    for status in WorkStatus:
        names[normalized(status.value)] = status.value
    return names


def parse_status(value, names: dict[str, str] | None = None) -> str:
    names = names if names is not None else status_names()
    if not isinstance(value, str):
        raise ValueError
    try:
        return names[normalized(value)]
    except KeyError:
        raise ValueError from None


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- reading the file ---------------------------------------------------------------------
@dataclass
class Table:
    """The file's header (column name -> position) and its non-empty data rows, each
    (spreadsheet row number, values)."""

    columns: dict[str, int]
    rows: list[tuple[int, list]]


def read_table(content: bytes) -> Table:
    """The matrix in `content`, or FileProblem."""
    if len(content) > MAX_FILE_BYTES:
        raise FileProblem(
            _("The file is larger than %(size)d MB.") % {"size": MAX_FILE_BYTES // 2**20}
        )
    if not content.strip():
        raise FileProblem(_("The file is empty."))
    if content.startswith(b"PK\x03\x04"):
        lines = _xlsx_lines(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(
            _("Old Excel files (.xls) are not accepted: save the file as XLSX or CSV.")
        )
    else:
        lines = _csv_lines(content)
    return _table(lines)


def _table(lines) -> Table:
    columns = None
    rows = []
    try:
        for number, values in lines:
            if all(is_blank(value) for value in values):
                continue
            if columns is None:
                columns = {}
                for position, name in enumerate(values[:MAX_COLUMNS]):
                    key = header_key(name)
                    if key in COLUMNS:
                        if key in columns:
                            raise FileProblem(
                                _("The column “%(column)s” appears twice.") % {"column": key},
                                column=key,
                            )
                        columns[key] = position
                continue
            if len(rows) >= MAX_ROWS:
                raise FileProblem(
                    _("The file has more than %(max)s rows; split it.")
                    % {"max": f"{MAX_ROWS:,}".replace(",", ".")}
                )
            rows.append((number, values))
    except FileProblem:
        raise
    except Exception as error:  # the readers' many ways of failing on a damaged file
        logger.info("Unreadable matrix: %r", error)
        raise FileProblem(_("The file cannot be read as a spreadsheet (CSV or XLSX).")) from error
    if columns is None:
        raise FileProblem(_("The file is empty."))
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise FileProblem(
            _("Required columns are missing: %(columns)s. The first row must name the columns.")
            % {"columns": ", ".join(missing)},
            column=missing[0],
        )
    if not rows:
        raise FileProblem(_("The file has a header but no rows of data."))
    return Table(columns=columns, rows=rows)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _csv_lines(content: bytes):
    import csv

    # Excel's "Texto Unicode" export is UTF-16 with a byte-order mark (and tabs).
    utf16 = content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            if utf16:
                raise FileProblem(_("The file is not a spreadsheet (CSV or XLSX).")) from None
            continue
    if _CONTROL.search(text):
        raise FileProblem(_("The file is not a spreadsheet (CSV or XLSX)."))
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def lines():
        for values in reader:
            yield reader.line_num, values

    return lines()


def _xlsx_lines(content: bytes):
    from openpyxl import load_workbook

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
        names = {member.filename for member in members}
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise FileProblem(_("The file is damaged: it cannot be opened as XLSX.")) from error
    if "xl/workbook.xml" not in names:
        raise FileProblem(
            _("This ZIP file is not an XLSX workbook (save the matrix as XLSX or CSV).")
        )
    if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
        raise FileProblem(_("The workbook is too large once unpacked."))
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception as error:  # openpyxl raises many kinds on damaged workbooks
        raise FileProblem(_("The file is damaged: it cannot be opened as XLSX.")) from error

    def lines():
        try:
            for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
                values = []
                for cell in cells:
                    value = getattr(cell, "value", None)
                    # A cell formatted as a percentage holds 0.45 for "45 %".
                    if (
                        isinstance(value, int | float)
                        and not isinstance(value, bool)
                        and "%" in (getattr(cell, "number_format", "") or "")
                    ):
                        value = Decimal(str(value)) * 100
                    values.append(value)
                yield number, values
        finally:
            book.close()

    return lines()


# --- checking the rows --------------------------------------------------------------------
@dataclass
class Change:
    """A valid row that changes its work: what will be written."""

    line: int
    work: Work
    date: datetime.date
    from_status: str
    status: str
    physical: Decimal
    financial: Decimal
    amount: Decimal | None
    text: str


@dataclass
class Report:
    rows: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    changes: list[Change] = field(default_factory=list)
    skipped: int = 0

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"row": row, "column": column, "message": str(message)})

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "errors": self.error_count,
            "updates": len(self.changes),
            "skipped": self.skipped,
            "works": len({change.work.pk for change in self.changes}),
            "status_changes": sum(
                1 for change in self.changes if change.status != change.from_status
            ),
        }


@dataclass
class _Row:
    line: int
    code: str = ""
    date: datetime.date | None = None
    status: str | None = None
    physical: Decimal | None = None
    financial: Decimal | None = None
    amount: Decimal | None = None
    parish: Parish | None = None
    text: str = ""
    bad: bool = False


def _parse_row(line, values, columns, report, *, names, parishes) -> _Row:
    row = _Row(line=line)

    def get(column):
        position = columns.get(column)
        return values[position] if position is not None and position < len(values) else None

    def fail(column, message):
        row.bad = True
        report.add(line, column, message)

    row.code = cell_text(get("codigo")).upper()
    if not row.code:
        fail("codigo", _("Give the work's code."))
    value = get("fecha")
    if is_blank(value):
        fail("fecha", _("Give the date of the update."))
    else:
        try:
            row.date = parse_date(value)
        except ValueError:
            fail(
                "fecha",
                _("“%(value)s” is not a date: write it as 31/03/2026 or 2026-03-31.")
                % {"value": cell_text(value)[:40]},
            )
    value = get("estado")
    if is_blank(value):
        fail("estado", _("Give the status of the work."))
    else:
        try:
            row.status = parse_status(value, names)
        except ValueError:
            fail(
                "estado",
                _("“%(value)s” is not a status. Use one of: %(statuses)s.")
                % {"value": cell_text(value)[:40], "statuses": ", ".join(WorkStatus.values)},
            )
    for column, attribute in (("avance_fisico", "physical"), ("avance_financiero", "financial")):
        value = get(column)
        if is_blank(value):
            fail(column, _("Give the progress (a percentage from 0 to 100)."))
            continue
        try:
            setattr(row, attribute, parse_percent(value))
        except NotANumber:
            fail(
                column,
                _("“%(value)s” is not a percentage from 0 to 100 (e.g. 45 or 45,5).")
                % {"value": cell_text(value)[:40]},
            )
    value = get("monto_ejecutado")
    if not is_blank(value):
        try:
            row.amount = parse_amount(value)
        except NotANumber:
            fail(
                "monto_ejecutado",
                _(
                    "“%(value)s” is not an amount in dollars. Write 1234,56, 1234.56 or "
                    "1.234,56 (not 1.234: it could mean two things)."
                )
                % {"value": cell_text(value)[:40]},
            )
    value = get("parroquia")
    if not is_blank(value):
        row.parish = parishes.get(normalized(cell_text(value)))
        if row.parish is None:
            fail(
                "parroquia",
                _("“%(value)s” is not a parish (give its name or DPA code).")
                % {"value": cell_text(value)[:60]},
            )
    row.text = cell_text(get("observacion")).replace("\r\n", "\n")
    return row


def check_table(
    table: Table,
    *,
    actor,
    zone,
    lock: bool = False,
    today: datetime.date | None = None,
    progress=None,
) -> Report:
    """Every problem of every row, and the changes the valid rows make, as if applied in
    order. `actor` None is the command line acting for the whole city (no rule asked).
    With `lock`, the works are read FOR UPDATE (inside the applying transaction) and the
    objects in the changes are those rows, ready to be saved."""
    report = Report(rows=len(table.rows))
    names = status_names()
    parishes = {}
    if "parroquia" in table.columns:
        for parish in Parish.objects.all():
            parishes[normalized(parish.dpa_code)] = parish
            parishes[normalized(parish.name)] = parish
    rows = [
        _parse_row(line, values, table.columns, report, names=names, parishes=parishes)
        for line, values in table.rows
    ]
    codes = {row.code for row in rows if row.code}
    works_query = Work.objects.filter(code__in=codes).select_related("zone")
    if lock:
        works_query = works_query.select_for_update(of=("self",))
    works = {work.code: work for work in works_query}
    dates = [row.date for row in rows if row.date]
    recorded = set()
    if works and dates:
        recorded = set(
            WorkUpdate.objects.filter(
                work_id__in=[work.pk for work in works.values()], date__gte=min(dates)
            ).values_list("work_id", "date", "status", "physical_progress", "financial_progress")
        )
    by_work = defaultdict(list)
    for row in rows:
        if row.code and row.code not in works:
            report.add(
                row.line,
                "codigo",
                _("There is no work with the code “%(code)s”.") % {"code": row.code[:40]},
            )
        elif row.code:
            by_work[row.code].append(row)
    done = 0
    allowed_zones = {}
    for code, work_rows in by_work.items():
        work = works[code]
        work_rows.sort(key=lambda row: (row.date or datetime.date.max, row.line))
        for row in work_rows:
            done += 1
            if progress and done % PROGRESS_EVERY == 0:
                progress(done)
            if work.zone_id not in allowed_zones:
                allowed_zones[work.zone_id] = (zone is None or zone.pk == work.zone_id) and (
                    actor is None or rulebook.allowed(actor, "works.import_matrix", work.zone)
                )
            if not allowed_zones[work.zone_id] or (
                actor is not None
                and not work.is_final
                and not rulebook.allowed(actor, "works.post_update", work)
            ):
                report.add(
                    row.line,
                    "codigo",
                    _("The work %(code)s belongs to another zone (%(zone)s).")
                    % {"code": code, "zone": work.zone.name},
                )
                continue
            if row.parish is not None and row.parish.zone_id != work.zone_id:
                report.add(
                    row.line,
                    "parroquia",
                    _("The parish %(parish)s is not in the work's zone (%(zone)s).")
                    % {"parish": row.parish.name, "zone": work.zone.name},
                )
                continue
            if row.bad:
                continue
            if (
                work.pk,
                row.date,
                row.status,
                row.physical,
                row.financial,
            ) in recorded or is_no_change(
                work,
                status=row.status,
                physical_progress=row.physical,
                financial_progress=row.financial,
                amount_executed=row.amount,
            ):
                report.skipped += 1
                continue
            problems = check_new_update(
                work,
                date=row.date,
                status=row.status,
                physical_progress=row.physical,
                financial_progress=row.financial,
                text=row.text,
                amount_executed=row.amount,
                today=today,
            )
            if problems:
                for field_name, messages in problems.items():
                    for message in messages:
                        report.add(row.line, FIELD_COLUMNS.get(field_name, field_name), message)
                continue
            report.changes.append(
                Change(
                    line=row.line,
                    work=work,
                    date=row.date,
                    from_status=work.status,
                    status=row.status,
                    physical=row.physical,
                    financial=row.financial,
                    amount=row.amount,
                    text=row.text,
                )
            )
            _advance(work, row)
    if progress:
        progress(report.rows)
    report.errors.sort(
        key=lambda error: (
            error["row"] or 0,
            COLUMNS.index(error["column"]) if error["column"] in COLUMNS else 99,
        )
    )
    return report


def _advance(work: Work, row: _Row) -> None:
    """The work as update_post leaves it after this row (in memory)."""
    work.status = row.status
    work.physical_progress = row.physical
    work.financial_progress = row.financial
    if row.amount is not None:
        work.amount_executed = row.amount
    if row.status == WorkStatus.UNDER_WAY and work.actual_start is None:
        work.actual_start = row.date
    if row.status == WorkStatus.FINISHED:
        work.actual_end = row.date
        if work.actual_start is None:
            work.actual_start = row.date
    work.last_update_on = row.date


def file_report(problem: FileProblem) -> Report:
    report = Report()
    report.add(None, problem.column, problem.message)
    return report


def check_content(content: bytes, *, actor, zone, progress=None) -> Report:
    """Read and check a file without writing anything (the dry run)."""
    try:
        table = read_table(content)
    except FileProblem as problem:
        return file_report(problem)
    return check_table(table, actor=actor, zone=zone, progress=progress)


# --- writing ------------------------------------------------------------------------------
class Rejected(Exception):
    def __init__(self, report: Report):
        super().__init__("rejected")
        self.report = report


def write_changes(report: Report, *, batch, actor) -> None:
    """Write the changes of a checked report (inside the transaction that checked it):
    what update_post writes for each row, in bulk."""
    from .tasks import notify_status_change

    author = actor if actor is not None and actor.is_authenticated else None
    updates = [
        WorkUpdate(
            work=change.work,
            date=change.date,
            text=change.text.strip(),
            from_status=change.from_status,
            status=change.status,
            physical_progress=change.physical,
            financial_progress=change.financial,
            amount_executed=change.amount,
            origin=WorkUpdate.Origin.IMPORT,
            batch=batch,
            author=author,
        )
        for change in report.changes
    ]
    WorkUpdate.objects.bulk_create(updates, batch_size=1000)
    now = timezone.now()
    works = {change.work.pk: change.work for change in report.changes}
    for work in works.values():
        work.updated_at = now
    _save_figures(works.values())
    for update in updates:
        if update.status != update.from_status:
            transaction.on_commit(lambda pk=update.pk: notify_status_change.enqueue(pk))


FIGURES = (
    "status",
    "physical_progress",
    "financial_progress",
    "amount_executed",
    "actual_start",
    "actual_end",
    "last_update_on",
    "updated_at",
)


def _save_figures(works) -> None:
    """Save the figures of many works with one parametrised UPDATE run for all of them.
    (QuerySet.bulk_update builds one CASE per field and row: about 25 s for 10,000 works
    on SQLite; this takes well under one.) The values go through each field's own
    get_db_prep_save, as Model.save() would."""
    fields = [Work._meta.get_field(name) for name in FIGURES]
    quote = connection.ops.quote_name
    # Only the model's own (quoted) table and column names are formatted in; every value
    # is a parameter.
    sql = "UPDATE {table} SET {columns} WHERE {pk} = %s".format(  # noqa: S608
        table=quote(Work._meta.db_table),
        columns=", ".join(f"{quote(field.column)} = %s" for field in fields),
        pk=quote(Work._meta.pk.column),
    )
    params = [
        [field.get_db_prep_save(getattr(work, field.attname), connection) for field in fields]
        + [work.pk]
        for work in works
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# --- batches ------------------------------------------------------------------------------
def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def may_import(actor, zone) -> bool:
    """Whether `actor` may upload a matrix for `zone` (None: every zone, city-wide team).
    `actor` None is the command line run without --user (only manage.py passes it)."""
    if actor is None:
        return True
    if zone is None:
        from territory.models import Zone

        return staff_zones(actor) is None and all(
            rulebook.allowed(actor, "works.import_matrix", each) for each in Zone.objects.all()
        )
    return rulebook.allowed(actor, "works.import_matrix", zone)


def batches_for(user):
    """The batches `user` may see: their zones' (all for the city-wide team)."""
    zones = staff_zones(user)
    batches = ImportBatch.objects.select_related("zone", "uploaded_by")
    if zones is None:
        return batches
    return batches.filter(zone__in=zones)


def already_applied(sha256: str) -> ImportBatch | None:
    return (
        ImportBatch.objects.filter(sha256=sha256, state=ImportBatch.State.APPLIED)
        .order_by("applied_at")
        .first()
    )


def batch_upload(*, actor, zone, content: bytes, file_name: str, run: bool = True):
    """Store an upload as a batch and have it checked (in the background). Raises
    ValidationError for a file refused outright, DomainError when it was already applied."""
    if not may_import(actor, zone):
        raise PermissionDenied(_("Only the zone's staff can import its monthly matrix."))
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError(
            _("The file is larger than %(size)d MB.") % {"size": MAX_FILE_BYTES // 2**20}
        )
    if not content.strip():
        raise ValidationError(_("The file is empty."))
    digest = sha256_of(content)
    earlier = already_applied(digest)
    if earlier is not None:
        raise DomainError(
            _("This file was already applied on %(date)s: applying it again changes nothing.")
            % {"date": timezone.localtime(earlier.applied_at).strftime("%d/%m/%Y %H:%M")}
        )
    batch = ImportBatch(
        zone=zone,
        uploaded_by=actor,
        file_name=(file_name or "matriz")[:255],
        sha256=digest,
    )
    batch.file.save("matriz", ContentFile(content), save=False)
    batch.save()
    log(
        instance=batch,
        action=audit.MATRIX_UPLOAD,
        user=actor,
        data={"file": batch.file_name, "sha256": digest},
    )
    if run:
        validate_batch.enqueue(batch.pk)
    return batch


def _forget_file(batch: ImportBatch) -> None:
    """Drop the stored upload: from the row now, from the storage once the transaction
    that drops it commits (a rolled-back apply keeps it for the batch that still needs it)."""
    if batch.file:
        storage, name = batch.file.storage, batch.file.name
        batch.file = ""
        transaction.on_commit(lambda: storage.delete(name))


def _read_stored(batch: ImportBatch) -> bytes:
    with batch.file.open("rb") as handle:
        return handle.read()


def _as_staff(user_id):
    """The user a background task acts for. The view that queued it ran behind the MFA gate
    (quitodecide.mfa) and asked the rule, so the task acts for that session. A user who is
    gone or inactive is refused (never taken for the command line's actor None)."""
    from accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        raise PermissionDenied(_("The person who started this import can no longer act."))
    mark_user(user, True)
    return user


def batch_validate(batch: ImportBatch, actor) -> ImportBatch:
    """Check a pending batch's file: VALID (with a summary) or INVALID (with the errors).
    `actor` None is the command line (every zone)."""
    updated = ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.PENDING).update(
        state=ImportBatch.State.VALIDATING, rows_done=0
    )
    batch.refresh_from_db()
    if not updated:
        return batch
    try:
        table = read_table(_read_stored(batch))
    except FileProblem as problem:
        report = file_report(problem)
    else:
        ImportBatch.objects.filter(pk=batch.pk).update(rows_total=len(table.rows))

        def progress(done):
            ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done)

        report = check_table(table, actor=actor, zone=batch.zone, progress=progress)
    batch.refresh_from_db()
    batch.errors = report.errors
    batch.summary = report.summary()
    batch.rows_total = batch.rows_done = report.rows
    if report.ok:
        batch.state = ImportBatch.State.VALID
    else:
        batch.state = ImportBatch.State.INVALID
        _forget_file(batch)
    batch.save()
    return batch


def batch_confirm(*, batch: ImportBatch, actor, run: bool = True) -> ImportBatch:
    """Staff confirm a valid batch: it is applied in the background."""
    if not may_import(actor, batch.zone):
        raise PermissionDenied(_("Only the zone's staff can import its monthly matrix."))
    moved = ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.VALID).update(
        state=ImportBatch.State.APPLYING
    )
    if not moved:
        raise DomainError(_("This import cannot be applied now."))
    batch.refresh_from_db()
    if run:
        apply_batch.enqueue(batch.pk, actor.pk)
    return batch


def batch_apply(batch: ImportBatch, actor) -> ImportBatch:
    """Apply a confirmed batch: check every row again under lock and write them all, or,
    when anything changed since the check and a row no longer fits, write nothing and leave
    the batch INVALID with the new errors."""
    content = _read_stored(batch)
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if batch.state != ImportBatch.State.APPLYING:
                return batch
            table = read_table(content)
            report = check_table(table, actor=actor, zone=batch.zone, lock=True)
            if not report.ok:
                raise Rejected(report)
            write_changes(report, batch=batch, actor=actor)
            batch.state = ImportBatch.State.APPLIED
            batch.applied_at = timezone.now()
            batch.rows_done = batch.rows_total = report.rows
            batch.summary = report.summary()
            batch.errors = []
            _forget_file(batch)
            batch.save()
            log(
                instance=batch,
                action=audit.MATRIX_APPLY,
                user=actor if actor is not None and actor.is_authenticated else None,
                data={"file": batch.file_name, "sha256": batch.sha256, **batch.summary},
            )
    except (Rejected, FileProblem) as failure:
        report = failure.report if isinstance(failure, Rejected) else file_report(failure)
        batch = ImportBatch.objects.get(pk=batch.pk)
        batch.state = ImportBatch.State.INVALID
        batch.errors = report.errors
        batch.summary = {**report.summary(), "changed_since_check": True}
        _forget_file(batch)
        batch.save()
    return batch


def batch_discard(*, batch: ImportBatch, actor) -> ImportBatch:
    if not may_import(actor, batch.zone):
        raise PermissionDenied(_("Only the zone's staff can import its monthly matrix."))
    moved = ImportBatch.objects.filter(
        pk=batch.pk, state__in=[ImportBatch.State.VALID, ImportBatch.State.INVALID]
    ).update(state=ImportBatch.State.DISCARDED)
    if not moved:
        raise DomainError(_("This import cannot be discarded now."))
    batch.refresh_from_db()
    _forget_file(batch)
    batch.save(update_fields=["file"])
    log(instance=batch, action=audit.MATRIX_DISCARD, user=actor, data={"file": batch.file_name})
    return batch


def _fail(batch_id: int) -> None:
    logger.exception("Matrix import %s failed", batch_id)
    batch = ImportBatch.objects.get(pk=batch_id)
    batch.state = ImportBatch.State.FAILED
    batch.errors = [
        {"row": None, "column": None, "message": _("The import failed unexpectedly: try again.")}
    ]
    _forget_file(batch)
    batch.save()


@task
def validate_batch(batch_id: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        try:
            batch = ImportBatch.objects.get(pk=batch_id)
            return batch_validate(batch, _as_staff(batch.uploaded_by_id)).state
        except Exception:
            _fail(batch_id)
            raise


@task
def apply_batch(batch_id: int, user_id: int | None) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        try:
            batch = ImportBatch.objects.get(pk=batch_id)
            return batch_apply(batch, _as_staff(user_id)).state
        except Exception:
            _fail(batch_id)
            raise
