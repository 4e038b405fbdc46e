"""Import a zone's social actors from CSV or XLSX, all or nothing.

The file is read by the works importer's readers (works.importer: CSV in UTF-8, UTF-16,
Windows-1252 or Latin-1 with `,` `;` or tab; XLSX's first sheet; legacy XLS, other ZIPs and
damaged or oversized archives refused), with this module's own limits: at most
MAX_FILE_BYTES (2 MB) and MAX_ROWS (5,000) rows of data. The first non-empty row is the
header; header names match ignoring case, accents, spaces and a note in brackets
("Año mapeo (AAAA)" is anio_mapeo); unknown columns are ignored.

Columns (required marked *): nombre*, tipo*, parroquia* (DPA code or name), barrio,
estado_legal*, registro, miembros, anio_mapeo*, fuente*, nombre_fuente, descripcion,
latitud, longitud, contacto_nombre, contacto_correo, contacto_telefono, publicar_contacto
(si/no; empty is no), activo (si/no; empty or absent keeps it: a new actor is active).

Only the columns in the header are written. Updating an actor, a column absent from the file
leaves its field as it is, and a present but empty cell clears it; a new actor gets the
empty value for an absent column. An actor's active flag changes only through the column
activo. Names are compared normalised (actors.services.name_key); members may be written
with Spanish thousands separators ("1.000").

Each row is checked by actors.services.check (the admin form's checks) for the zone chosen
for the import: a parish of another zone is a row error, and so is a row whose natural key
is an actor registered by another zone (Mariscal Sucre is a parish of two zones): an import
never moves an actor between zones. Two rows with the same natural key (parish, type, name
ignoring case) are an error. The report says for each row whether it creates, updates or
leaves an actor as it is, and which columns change (their names, never the values).
Checking writes nothing; applying checks the whole file again and, only when no row is
wrong, creates or updates every actor in one transaction (an actor with the row's natural
key is updated) and records an ActorImport with the counts and the report, plus an audit
entry.
"""

import hashlib
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from quitodecide.errors import DomainError
from territory.models import Parish, Zone
from works.importer import (
    FileProblem,
    Table,
    _csv_lines,
    _xlsx_lines,
    cell_text,
    header_key,
    is_blank,
    normalized,
)

from . import audit, services
from .models import Actor, ActorImport

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5_000
MAX_COLUMNS = 60
MAX_REPORTED_ERRORS = 500

# column -> the model's field
COLUMNS = {
    "nombre": "name",
    "tipo": "kind",
    "parroquia": "parish",
    "barrio": "barrio",
    "estado_legal": "legal_status",
    "registro": "registration",
    "miembros": "members",
    "anio_mapeo": "year_mapped",
    "fuente": "source",
    "nombre_fuente": "source_name",
    "descripcion": "description",
    "latitud": "lat",
    "longitud": "lon",
    "contacto_nombre": "contact_name",
    "contacto_correo": "contact_email",
    "contacto_telefono": "contact_phone",
    "publicar_contacto": "contact_public",
    "activo": "is_active",
}
FIELD_COLUMNS = {field_name: column for column, field_name in COLUMNS.items()}
REQUIRED = ("nombre", "tipo", "parroquia", "estado_legal", "anio_mapeo", "fuente")
ALIASES = {"ano_mapeo": "anio_mapeo", "año_mapeo": "anio_mapeo", "anio": "anio_mapeo"}
YES = {"si", "s", "yes", "y", "true", "verdadero", "1", "x"}
NO = {"no", "n", "false", "falso", "0", ""}
YES_NO_COLUMNS = (("publicar_contacto", "contact_public"), ("activo", "is_active"))
MAX_REPORTED_ROWS = 1_000
_INTEGER = re.compile(r"[0-9]{1,9}")
_THOUSANDS = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3}){1,2}")
# A new actor's value for a column absent from the file.
DEFAULTS = {
    "barrio": "",
    "registration": "",
    "members": None,
    "source_name": "",
    "description": "",
    "lat": None,
    "lon": None,
    "contact_name": "",
    "contact_email": "",
    "contact_phone": "",
    "contact_public": False,
    "is_active": True,
}
KEPT = ("name", "kind", "parish", "legal_status", "year_mapped", "source", *DEFAULTS)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class Report:
    rows: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    items: list[tuple[int, dict, Actor | None]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # One line per valid row: {"row", "name", "action" (create/update/unchanged), "columns"}.
    lines: list[dict] = field(default_factory=list)

    def add(self, row, column, message) -> None:
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
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def column_key(text) -> str:
    key = header_key(text)
    return ALIASES.get(key, key)


def read_table(content: bytes) -> Table:
    """The table in `content`, or FileProblem (in the active language)."""
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
    columns, rows = None, []
    try:
        for number, values in lines:
            if all(is_blank(value) for value in values):
                continue
            if columns is None:
                columns = {}
                for position, name in enumerate(values[:MAX_COLUMNS]):
                    key = column_key(name)
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
            rows.append((number, list(values[:MAX_COLUMNS])))
    except FileProblem:
        raise
    except Exception as error:  # the readers' many ways of failing on a damaged file
        raise FileProblem(_("The file cannot be read as a spreadsheet (CSV or XLSX).")) from error
    if columns is None:
        raise FileProblem(_("The file is empty."))
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise FileProblem(
            _("Required columns are missing: %(columns)s. The first row must name the columns.")
            % {"columns": ", ".join(missing)},
            column=missing[0],
        )
    if not rows:
        raise FileProblem(_("The file has a header but no rows of data."))
    return Table(columns=columns, rows=rows)


# --- values -------------------------------------------------------------------------------
def choice_names(choices) -> dict[str, str]:
    """Every accepted spelling (normalised) of a choice -> its value: the value and the
    label in each language."""
    from django.conf import settings

    names = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in choices.choices:
                names[normalized(str(label))] = value
    for value in choices.values:
        names[normalized(value)] = value
    return names


def text_cell(value) -> str:
    """A cell as text, without control characters (a tab or line break is a space)."""
    return _CONTROL.sub(" ", cell_text(value)).replace("\t", " ").strip()


def parse_integer(value, *, thousands=False) -> int:
    """A whole number; with `thousands`, "1.000" (dot-separated groups of three) too."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e12:
            return int(value)
        raise ValueError
    text = text_cell(value)
    if thousands and _THOUSANDS.fullmatch(text):
        text = text.replace(".", "")
    if not _INTEGER.fullmatch(text):
        raise ValueError
    return int(text)


def parse_yes_no(value) -> bool:
    if isinstance(value, bool):
        return value
    key = normalized(text_cell(value))
    if key in YES:
        return True
    if key in NO:
        return False
    raise ValueError


class ParishIndex:
    """The parishes by DPA code and by name, to read the column parroquia."""

    def __init__(self):
        self.by_code, self.by_name = {}, {}
        for parish in Parish.objects.select_related("zone"):
            self.by_code[parish.dpa_code] = parish
            self.by_name.setdefault(normalized(parish.name), []).append(parish)

    def find(self, value) -> Parish | None:
        text = text_cell(value)
        if text in self.by_code:
            return self.by_code[text]
        found = self.by_name.get(normalized(text), [])
        return found[0] if len(found) == 1 else None


# --- checking -----------------------------------------------------------------------------
def check_table(table: Table, *, zone: Zone) -> Report:
    report = Report(rows=len(table.rows))
    names = {
        "kind": choice_names(Actor.Kind),
        "legal_status": choice_names(Actor.LegalStatus),
        "source": choice_names(Actor.Source),
    }
    parishes = ParishIndex()
    allowed = set(services.parishes_for(zone).values_list("pk", flat=True))
    seen = {}
    for line, values in table.rows:

        def get(column, values=values):
            position = table.columns.get(column)
            return values[position] if position is not None and position < len(values) else None

        failed = set()

        def fail(column, message, line=line, failed=failed):
            failed.add(column)
            report.add(line, column, message)

        # Only the columns in the file: the others keep the actor's value (or the default).
        data = {}
        for column, field_name in COLUMNS.items():
            if field_name in services.LIMITS and column in table.columns:
                data[field_name] = text_cell(get(column))
        for field_name in ("kind", "legal_status", "source"):
            column = FIELD_COLUMNS[field_name]
            value = get(column)
            if is_blank(value):
                fail(column, _("This column is required: it is empty."))
                continue
            choice = names[field_name].get(normalized(text_cell(value)))
            if choice is None:
                fail(
                    column,
                    _("“%(value)s” is not accepted here. Use one of: %(values)s.")
                    % {
                        "value": text_cell(value)[:40],
                        "values": ", ".join(
                            {
                                "kind": Actor.Kind,
                                "legal_status": Actor.LegalStatus,
                                "source": Actor.Source,
                            }[field_name].values
                        ),
                    },
                )
            data[field_name] = choice
        value = get("parroquia")
        if is_blank(value):
            fail("parroquia", _("This column is required: it is empty."))
        else:
            parish = parishes.find(value)
            if parish is None:
                fail(
                    "parroquia",
                    _("“%(value)s” is not a parish of Quito (write its name or DPA code).")
                    % {"value": text_cell(value)[:40]},
                )
            elif parish.pk not in allowed:
                fail(
                    "parroquia",
                    _("The parish %(parish)s belongs to the zone %(other)s, not to %(zone)s.")
                    % {"parish": parish.name, "other": parish.zone.name, "zone": zone.name},
                )
            else:
                data["parish"] = parish
        value = get("anio_mapeo")
        if is_blank(value):
            fail("anio_mapeo", _("This column is required: it is empty."))
        else:
            try:
                data["year_mapped"] = parse_integer(value)
            except ValueError:
                fail(
                    "anio_mapeo",
                    _("“%(value)s” is not a year (write it as 2025).")
                    % {"value": text_cell(value)[:40]},
                )
        value = get("miembros")
        if "miembros" in table.columns:
            data["members"] = None
        if not is_blank(value):
            try:
                data["members"] = parse_integer(value, thousands=True)
            except ValueError:
                fail(
                    "miembros",
                    _("“%(value)s” is not a whole number of members.")
                    % {"value": text_cell(value)[:40]},
                )
        for column, field_name in (("latitud", "lat"), ("longitud", "lon")):
            if column in table.columns:
                value = get(column)
                data[field_name] = None if is_blank(value) else text_cell(value)
        for column, field_name in YES_NO_COLUMNS:
            value = get(column)
            if column not in table.columns or (field_name == "is_active" and is_blank(value)):
                continue
            try:
                data[field_name] = parse_yes_no(value)
            except ValueError:
                fail(
                    column,
                    _("“%(value)s” is neither “si” nor “no”.") % {"value": text_cell(value)[:40]},
                )
        existing = None
        if not failed & {"nombre", "tipo", "parroquia"} and data.get("parish") is not None:
            existing = services.find_duplicate(
                parish=data["parish"], kind=data["kind"], name=data.get("name", "")
            )
            if existing is not None and existing.zone_id != zone.pk:
                # The natural key spans zones (Mariscal Sucre): never touch another zone's actor.
                fail(
                    "nombre",
                    _(
                        "An actor with this name and type in this parish is registered by "
                        "the zone %(zone)s; this import cannot change it."
                    )
                    % {"zone": existing.zone.name},
                )
                continue
        data = {**(_stored(existing) if existing is not None else DEFAULTS), **data}
        values, problems = services.check(data, zone=zone)
        for problem in problems:
            column = FIELD_COLUMNS.get(problem.field)
            if column not in failed:
                fail(column, problem.message)
        if failed:
            continue
        key = (values["parish"].pk, values["kind"], services.name_key(values["name"]))
        if key in seen:
            fail(
                "nombre",
                _("Row %(row)d already has an actor of this type with this name in the parish.")
                % {"row": seen[key]},
            )
            continue
        seen[key] = line
        if existing is None:
            action, columns = "create", []
            report.created += 1
        else:
            columns = _changed_columns(existing, values)
            action = "update" if columns else "unchanged"
            if columns:
                report.updated += 1
            else:
                report.unchanged += 1
        if len(report.lines) < MAX_REPORTED_ROWS:
            report.lines.append(
                {"row": line, "name": values["name"], "action": action, "columns": columns}
            )
        report.items.append((line, data, existing))
    return report


def _stored(actor: Actor) -> dict:
    """The actor's values, as check_table reads them from a file."""
    return {name: getattr(actor, name) for name in KEPT}


def _changed_columns(actor: Actor, values: dict) -> list[str]:
    """The file's columns whose value differs from the actor's (names only)."""
    return [
        FIELD_COLUMNS[name]
        for name in KEPT
        if name in FIELD_COLUMNS and getattr(actor, name) != values[name]
    ]


def _same(actor: Actor, values: dict) -> bool:
    return all(getattr(actor, name) == value for name, value in values.items())


def file_report(problem: FileProblem) -> Report:
    report = Report()
    report.add(None, problem.column, problem.message)
    return report


def check_content(content: bytes, *, zone: Zone) -> Report:
    """The report of `content` for `zone`; writes nothing."""
    try:
        table = read_table(content)
    except FileProblem as problem:
        return file_report(problem)
    return check_table(table, zone=zone)


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


class Rejected(DomainError):
    """The file has errors: nothing was written (`report` says which)."""

    def __init__(self, report: Report):
        super().__init__(_("The file has errors: nothing was imported."))
        self.report = report


def apply_content(content: bytes, *, actor, zone: Zone, file_name: str) -> ActorImport:
    """Check `content` again and write every row, or nothing (Rejected)."""
    services.require_manage(actor, zone)
    with transaction.atomic():
        report = check_content(content, zone=zone)
        if not report.ok:
            raise Rejected(report)
        created = updated = 0
        for line, data, existing in report.items:
            if existing is not None and _same(existing, services.clean(data, zone=zone)):
                continue
            try:
                services.actor_save(actor=actor, zone=zone, data=data, record=existing)
            except DomainError as error:
                report.add(line, FIELD_COLUMNS.get(getattr(error, "field", None)), error.message)
                transaction.set_rollback(True)
                raise Rejected(report) from error
            if existing is None:
                created += 1
            else:
                updated += 1
        record = ActorImport.objects.create(
            zone=zone,
            file_name=(file_name or "")[:255],
            sha256=sha256_of(content),
            created=created,
            updated=updated,
            report={"summary": report.summary(), "errors": report.errors, "rows": report.lines},
            imported_by=actor if getattr(actor, "pk", None) else None,
        )
        log(
            instance=record,
            action=audit.ACTOR_IMPORT,
            user=actor,
            data={
                "zone": zone.slug,
                "created": created,
                "updated": updated,
                "rows": report.rows,
                "at": timezone.now().isoformat(),
            },
        )
    return record
