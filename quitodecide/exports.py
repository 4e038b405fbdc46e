"""The one way the site offers data for download as CSV or JSON (or a ZIP of them), now
and later.

Every download is declared once with `register` (in the module that serves it, usually the
app's views), and built with `csv_response`, `json_response` or `zip_response`, which refuse
an undeclared export. `registry()` lists them all, so the test suite runs a corpus of
spreadsheet formulas through every declared export and fails when a new one is not
exercised; another test fails when a module writes CSV or a Content-Disposition header by
hand.

CSV is for spreadsheets, so it is made safe for them:
- Formula-safe cells (CSV injection, OWASP): a text cell that begins with `=`, `+`, `-`,
  `@`, a tab or a carriage return, or with the full-width forms of the first four (some
  spreadsheet locales read those as formulas), gets a leading single quote, which makes a
  spreadsheet show the text as typed instead of evaluating it. Leading spaces and line
  breaks do not hide a formula: " =1+1" is escaped too.
- Every text cell is quoted. Excel in Spanish locales splits CSV on `;`, not `,`, so an
  unquoted "Barrio;=HYPERLINK(…)" would become a formula cell there; inside quotes the `;`
  stays text whatever separator the spreadsheet picks.
- Numbers stay numbers: int, float and Decimal values (and booleans) are written as they
  are and never escaped, so a negative amount passed as a number (-15.50) stays a number
  that adds up. A number is safe by construction: its text is digits with at most a sign,
  a point and an exponent, never a formula. The same amount passed as *text* ("-15.50") is
  escaped like any text: pass amounts as Decimal, not str.
- Dates and datetimes are written in ISO 8601; None is an empty cell.
- UTF-8 with a byte-order mark, so spreadsheet programs detect the encoding (Excel reads
  BOM-less CSV as the local code page and garbles "Calderón").

JSON is for programs: values are kept exactly as stored (escaping them would change the
data), in UTF-8 without a BOM (RFC 8259 forbids one); Decimal becomes a string so amounts
keep their cents exactly.

PDF documents the app makes (training certificates) go out with `pdf_response`, declared
like the rest.

ZIP bundles (the recount bundles of results) hold several files: CSV members are built with
`csv_bytes`, the same writer as `csv_response` (and a CSV member with a formula cell is
refused), JSON members with `json_bytes`; member names are safe file names too.

All are sent as attachments with an ASCII-safe file name. `X-Content-Type-Options: nosniff`
is set for every response by SecurityMiddleware (SECURE_CONTENT_TYPE_NOSNIFF).
"""

import csv
import datetime
import importlib
import importlib.util
import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
FORMATS = ("csv", "json")  # what an export is offered in unless it says otherwise
KNOWN_FORMATS = (*FORMATS, "zip", "pdf")
# A ZIP member's name: a safe file name (no folders, no "..", no spaces), of a known kind.
ZIP_MEMBER = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}\.(csv|json|txt)")
# A number as `csv_bytes` writes it (bare, never quoted): the only cell allowed to begin
# with "-" in a ZIP's CSV member.
_CSV_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")
# Where apps declare their exports (imported by `registry()`).
EXPORT_MODULES = ("views", "api", "exports", "admin_import")


@dataclass(frozen=True)
class Export:
    """A declared download: `name` is "<app>.<what>", `formats` the ones it is offered in."""

    name: str
    formats: tuple[str, ...]
    description: str = ""


_registry: dict[str, Export] = {}


def register(name: str, *, formats: Sequence[str] = FORMATS, description: str = "") -> Export:
    """Declare an export; returns the handle to pass to `csv_response`/`json_response`."""
    formats = tuple(formats)
    unknown = set(formats) - set(KNOWN_FORMATS)
    if not formats or unknown:
        raise ImproperlyConfigured(f"Export {name!r}: unknown formats {sorted(unknown)}")
    export = Export(name=name, formats=formats, description=description)
    existing = _registry.get(name)
    if existing is not None and existing != export:
        raise ImproperlyConfigured(f"Export {name!r} is declared twice, differently")
    return _registry.setdefault(name, export)


def registry() -> dict[str, Export]:
    """Every export of the project's apps, by name (imports their declaring modules)."""
    base = Path(settings.BASE_DIR).resolve()
    for app in apps.get_app_configs():
        if Path(app.path).resolve().parent != base:
            continue  # a third-party app (installed under .venv or elsewhere)
        for module in EXPORT_MODULES:
            dotted = f"{app.name}.{module}"
            if importlib.util.find_spec(dotted) is not None:
                importlib.import_module(dotted)
    return dict(_registry)


def safe_cell(value):
    """A value as a CSV cell that no spreadsheet evaluates (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime.date | datetime.time):  # datetime is a date
        value = value.isoformat()
    text = str(value)
    starts_formula = text.startswith(FORMULA_PREFIXES) or text.lstrip(" \n\r\t").startswith(
        FORMULA_PREFIXES
    )
    return "'" + text if starts_formula else text


def safe_filename(stem: str, extension: str) -> str:
    """An ASCII file name without quotes, slashes or spaces: "informe-cañón" → "informe-canon"."""
    stem = slugify(stem)[:100].strip("-_") or "datos"
    return f"{stem}.{extension}"


def _checked(export: Export, fmt: str) -> None:
    if _registry.get(export.name) is not export:
        raise ImproperlyConfigured(f"Export {export.name!r} is not declared with register()")
    if fmt not in export.formats:
        raise ImproperlyConfigured(f"Export {export.name!r} is not declared for {fmt}")


def _mark(response, export: Export, fmt: str, filename: str):
    response["Content-Disposition"] = content_disposition_header(True, filename)
    # Which export answered: read by the export tests (and handy in logs and debugging).
    response.export = export.name
    response.export_format = fmt
    return response


def csv_response(
    export: Export,
    *,
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence | Mapping],
) -> HttpResponse:
    """A CSV attachment: `header` first, then `rows` (sequences in header order, or mappings
    read by the header's names), every cell through `safe_cell`. `filename` has no
    extension."""
    _checked(export, "csv")
    text = _csv_text(header, rows)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    return _mark(response, export, "csv", safe_filename(filename, "csv"))


def _csv_text(header: Sequence[str], rows: Iterable[Sequence | Mapping]) -> str:
    buffer = io.StringIO()  # one write into the response, not one per row
    buffer.write(BOM)
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)  # numbers bare, text quoted
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        cells = [row[name] for name in header] if isinstance(row, Mapping) else row
        writer.writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence | Mapping]) -> bytes:
    """A CSV file for a ZIP member, written exactly as `csv_response` writes its body."""
    return _csv_text(header, rows).encode("utf-8")


def json_bytes(data) -> bytes:
    """A JSON file for a ZIP member, written as `json_response` writes its body."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
    return text.encode("utf-8")


def json_response(
    export: Export,
    *,
    filename: str,
    data,
    content_type: str = "application/json",
    compact: bool = False,
) -> JsonResponse:
    """A JSON attachment of `data` (a dict or a list), values kept exactly. `filename` has
    no extension. `content_type` names a JSON media type (application/geo+json for GeoJSON,
    RFC 7946). `compact` drops the indentation, for large machine-read files (a map's
    thousands of points)."""
    _checked(export, "json")
    if content_type not in {"application/json", "application/geo+json"}:
        raise ValueError(f"{content_type} is not a JSON media type we serve")
    response = JsonResponse(
        data,
        content_type=content_type,
        encoder=DjangoJSONEncoder,
        safe=False,
        json_dumps_params=(
            {"ensure_ascii": False, "separators": (",", ":")}
            if compact
            else {"ensure_ascii": False, "indent": 1}
        ),
    )
    return _mark(response, export, "json", safe_filename(filename, "json"))


def _check_zip_member(name: str, content: bytes) -> None:
    if not ZIP_MEMBER.fullmatch(name):
        raise ValueError(f"{name!r} is not a safe file name for a ZIP member")
    if not isinstance(content, bytes):
        raise TypeError(f"ZIP member {name!r} must be bytes")
    if not name.endswith(".csv"):
        return
    # CSV members come from csv_bytes: BOM first, no cell a spreadsheet would evaluate.
    text = content.decode("utf-8")
    if not text.startswith(BOM):
        raise ValueError(f"ZIP member {name!r} was not written by csv_bytes (no BOM)")
    for row in csv.reader(io.StringIO(text[len(BOM) :], newline="")):
        for cell in row:
            if cell.startswith(FORMULA_PREFIXES) and not _CSV_NUMBER.fullmatch(cell):
                raise ValueError(f"ZIP member {name!r} has a formula cell: build it with csv_bytes")


# A fixed date for every member: the archive depends on its contents only.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def zip_response(export: Export, *, filename: str, files: Mapping[str, bytes]) -> HttpResponse:
    """A ZIP attachment of `files` (member name -> content). CSV members must come from
    `csv_bytes`, JSON ones from `json_bytes`; names are checked (ZIP_MEMBER). `filename` has
    no extension."""
    _checked(export, "zip")
    if not files:
        raise ValueError("A ZIP download needs at least one file")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            _check_zip_member(name, content)
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    return _mark(response, export, "zip", safe_filename(filename, "zip"))


def pdf_response(export: Export, *, filename: str, content: bytes) -> HttpResponse:
    """A PDF attachment (a document made by the app, such as a training certificate):
    `content` must be a whole PDF file (it starts with "%PDF-" and ends with "%%EOF").
    `filename` has no extension."""
    _checked(export, "pdf")
    if not content.startswith(b"%PDF-") or not content.rstrip().endswith(b"%%EOF"):
        raise ValueError("A PDF download must be a whole PDF file")
    response = HttpResponse(content, content_type="application/pdf")
    return _mark(response, export, "pdf", safe_filename(filename, "pdf"))


def guard_admin_spreadsheets() -> None:
    """Wagtail's admin reports and viewsets (site history, users...) export CSV with their
    own writer, which leaves formulas in. Their cells get the same treatment as ours:
    formula-safe, after Wagtail's own formatting, and the file starts with the BOM. (Their
    XLSX export already stores formulas as text.) Called once from HomeConfig.ready."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin, "_quitodecide_guarded", False):
        return
    stream_csv = SpreadsheetExportMixin.stream_csv

    def write_csv_row(self, writer, row_dict):
        return writer.writerow(
            {
                field: safe_cell(self.preprocess_field_value(field, value, self.FORMAT_CSV))
                for field, value in row_dict.items()
            }
        )

    def stream_csv_with_bom(self, queryset):
        yield BOM
        yield from stream_csv(self, queryset)

    SpreadsheetExportMixin.write_csv_row = write_csv_row
    SpreadsheetExportMixin.stream_csv = stream_csv_with_bom
    SpreadsheetExportMixin._quitodecide_guarded = True
