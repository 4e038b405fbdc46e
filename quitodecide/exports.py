"""The one way the site offers data for download as CSV or JSON, now and later.

Every download is declared once with `register` (in the module that serves it, usually the
app's views), and built with `csv_response` or `json_response`, which refuse an undeclared
export. `registry()` lists them all, so the test suite runs a corpus of spreadsheet formulas
through every declared export and fails when a new one is not exercised; another test fails
when a module writes CSV or a Content-Disposition header by hand.

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

Both are sent as attachments with an ASCII-safe file name. `X-Content-Type-Options: nosniff`
is set for every response by SecurityMiddleware (SECURE_CONTENT_TYPE_NOSNIFF).
"""

import csv
import datetime
import importlib
import importlib.util
import io
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
FORMATS = ("csv", "json")
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
    unknown = set(formats) - set(FORMATS)
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
    buffer = io.StringIO()  # one write into the response, not one per row
    buffer.write(BOM)
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC)  # numbers bare, text quoted
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        cells = [row[name] for name in header] if isinstance(row, Mapping) else row
        writer.writerow([safe_cell(cell) for cell in cells])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    return _mark(response, export, "csv", safe_filename(filename, "csv"))


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
