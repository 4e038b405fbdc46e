"""Reading a census file: CSV in memory, checked row by row, hashed at once.

`parse_census(content, zone=...)` turns the uploaded bytes into rows of hashes (the cédula's
keyed hash and the keyed hash of (cédula, date of birth), or the parish) and a report of
errors by row, in the user's language. It never keeps, returns, logs or echoes a cédula or a
date of birth: the report names the row and what is wrong, not the value.

The file's first row names its columns: `cedula` and `fecha_nacimiento` (a birth-date
census) or `cedula` and `parroquia` (a parish census); case, accents, spaces and other
columns do not matter. Comma, semicolon or tab separated; UTF-8 (with or without BOM) or
Windows-1252, as spreadsheets save it. Dates as 31/12/1980 or 1980-12-31. Parishes by name
or DPA code, and in the file's zone.
"""

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.cedula import cedula_hash

from . import hashing
from .models import CensusBatch

MAX_FILE_BYTES = 2 * 1024 * 1024  # well under FILE_UPLOAD_MAX_MEMORY_SIZE: stays in memory
MAX_ROWS = 100_000
MAX_REPORTED = 200  # errors listed; the count says how many there are in all

CEDULA_COLUMNS = {"cedula", "cedula_de_identidad", "numero_de_cedula", "ci"}
BIRTH_COLUMNS = {"fecha_nacimiento", "fecha_de_nacimiento", "nacimiento"}
PARISH_COLUMNS = {"parroquia"}


@dataclass(frozen=True)
class RowError:
    row: int | None  # None: about the whole file
    message: str


@dataclass
class ParsedCensus:
    kind: str = ""
    rows: list[tuple[str, str, int | None]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def error(self, row, message) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(RowError(row, str(message)))

    @property
    def valid(self) -> bool:
        return self.error_count == 0 and bool(self.rows)


def normalized(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text).strip().casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"[\s\-]+", "_", text)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y/%m/%d")


def parse_date(value: str) -> datetime.date | None:
    value = value.strip()
    for fmt in DATE_FORMATS:
        try:
            parsed = datetime.datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a date
        except ValueError:
            continue
        if datetime.date(1900, 1, 1) <= parsed <= timezone.localdate():
            return parsed
        return None
    return None


def _parishes(zone) -> dict[str, int]:
    from territory.models import Parish

    found = {}
    for parish in Parish.objects.filter(zone=zone):
        found[normalized(parish.name)] = parish.pk
        found[parish.dpa_code] = parish.pk
    return found


def parse_census(content: bytes, *, zone) -> ParsedCensus:
    result = ParsedCensus()
    if len(content) > MAX_FILE_BYTES:
        result.error(None, _("The file is larger than %(size)s MB.") % {"size": 2})
        return result
    text = _decode(content)
    if "\x00" in text:
        result.error(None, _("This is not a CSV file (it holds binary data)."))
        return result
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error:
        header = None
    names = [normalized(name) for name in header or []]
    cedula_at = next((i for i, n in enumerate(names) if n in CEDULA_COLUMNS), None)
    birth_at = next((i for i, n in enumerate(names) if n in BIRTH_COLUMNS), None)
    parish_at = next((i for i, n in enumerate(names) if n in PARISH_COLUMNS), None)
    if cedula_at is None or (birth_at is None) == (parish_at is None):
        result.error(
            1,
            _(
                "The first row must name the columns: “cedula” and “fecha_nacimiento”, or "
                "“cedula” and “parroquia” (one of the two, not both)."
            ),
        )
        return result
    result.kind = CensusBatch.Kind.BIRTH_DATE if birth_at is not None else CensusBatch.Kind.PARISH
    parishes = _parishes(zone) if parish_at is not None else {}
    seen: dict[str, int] = {}
    line = 1
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(result.rows) + result.error_count >= MAX_ROWS:
                result.error(None, _("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
                break
            _row(result, line, cells, cedula_at, birth_at, parish_at, parishes, seen, zone)
    except csv.Error:
        result.error(line, _("This row cannot be read as CSV (check its quotes)."))
    if not result.rows and not result.error_count:
        result.error(None, _("The file has no rows after the header."))
    return result


def _cell(cells, index) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


def _row(result, line, cells, cedula_at, birth_at, parish_at, parishes, seen, zone):
    raw = _cell(cells, cedula_at)
    try:
        digest = cedula_hash(raw)
    except ValidationError as error:
        result.error(line, _("cédula: %(error)s") % {"error": error.messages[0]})
        return
    if digest in seen:
        result.error(
            line, _("this cédula is already in row %(row)s of the file.") % {"row": seen[digest]}
        )
        return
    birth, parish_id = "", None
    if birth_at is not None:
        born_on = parse_date(_cell(cells, birth_at))
        if born_on is None:
            result.error(
                line,
                _(
                    "date of birth: not a valid date (write it as 31/12/1980 or 1980-12-31, "
                    "not in the future)."
                ),
            )
            return
        birth = hashing.birth_hash(raw, born_on)
    else:
        name = _cell(cells, parish_at)
        parish_id = parishes.get(name) or parishes.get(normalized(name))
        if parish_id is None:
            result.error(
                line,
                # The value is not repeated: a shifted column would put a cédula here.
                _("parish: not the name or DPA code of a parish of %(zone)s.")
                % {"zone": zone.name},
            )
            return
    seen[digest] = line
    result.rows.append((digest, birth, parish_id))
