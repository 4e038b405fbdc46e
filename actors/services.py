"""Writes of the map of social actors: save and delete an actor. Only staff of the
actor's zone (and the city-wide team) write them (rule book: actors.manage, MFA included);
every write is atomic and leaves an audit entry in Wagtail's log.

Decisions:
- The parish must be one of the zone's parishes. La Mariscal, a special zonal
  administration that holds no whole parish, takes actors of the parish its sector lies in
  (Mariscal Sucre): see EXTRA_PARISHES.
- An actor is one per (parish, type, name ignoring case): the natural key of the import.
  Names are stored normalised (Unicode NFC, runs of spaces and line breaks as one space)
  and compared by `name_key` (also ignoring case), so "Comité  Nuevo" typed with a
  decomposed "é" is the same actor as "COMITÉ NUEVO".
- The natural key spans zones: Mariscal Sucre is a parish of Eugenio Espejo and also of La
  Mariscal (EXTRA_PARISHES). An actor registered by the other zone is named in the refusal
  (its zone, not its data), so staff know whom to ask.
- Setting `contact_public` records when the consent was given (`contact_consent_at`);
  withdrawing it clears that date, and the public pages stop showing the contact at once.
- The audit entry names the fields changed; for the contact person's data it says only
  that they changed, never their values (the log is not a second copy of personal data).
"""

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from quitodecide import rulebook
from quitodecide.changes import changes, snapshot
from quitodecide.errors import DomainError
from territory.models import Parish, Zone

from . import audit
from .models import Actor

MANAGE = "actors.manage"
# Zones that hold no whole parish of their own -> the DPA codes of the parishes they act in.
EXTRA_PARISHES = {"la-mariscal": ("170123",)}
FIRST_YEAR = 2000
MAX_MEMBERS = 10_000_000
# The Distrito Metropolitano de Quito with a margin: a point outside is a typing error.
LAT_RANGE = (Decimal("-0.75"), Decimal("0.45"))
LON_RANGE = (Decimal("-79.0"), Decimal("-78.0"))
FIELDS = (
    "name",
    "kind",
    "zone_id",
    "parish_id",
    "barrio",
    "legal_status",
    "registration",
    "members",
    "year_mapped",
    "source",
    "source_name",
    "description",
    "lat",
    "lon",
    "contact_name",
    "contact_email",
    "contact_phone",
    "contact_public",
    "is_active",
)
PERSONAL = {"contact_name", "contact_email", "contact_phone"}
# Text fields of one line: runs of whitespace (line breaks included) become one space.
ONE_LINE = {
    "name",
    "barrio",
    "registration",
    "source_name",
    "contact_name",
    "contact_email",
    "contact_phone",
}
_SPACES = re.compile(r"\s+")
LIMITS = {
    "name": 200,
    "barrio": 150,
    "registration": 100,
    "source_name": 200,
    "description": 5000,
    "contact_name": 200,
    "contact_email": 254,
    "contact_phone": 40,
}


class FieldProblem(DomainError):
    """A refusal about one field (`field`, the model's name): forms and the importer show
    it next to that field or column."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


def parishes_for(zone: Zone):
    """The parishes an actor of `zone` may be in."""
    codes = EXTRA_PARISHES.get(zone.slug, ())
    return Parish.objects.filter(Q(zone=zone) | Q(dpa_code__in=codes)).order_by("name")


def may_manage(user, zone: Zone) -> bool:
    return rulebook.allowed(user, MANAGE, Actor(zone=zone))


def require_manage(user, zone: Zone) -> None:
    rulebook.require(user, MANAGE, Actor(zone=zone))


_require = require_manage


def one_line(text) -> str:
    """`text` in Unicode NFC with every run of whitespace as one space, stripped."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(text))).strip()


def name_key(name) -> str:
    """How names are compared in the natural key: normalised and ignoring case."""
    return unicodedata.normalize("NFC", one_line(name or "").casefold())


def _text(data, name) -> str:
    value = data.get(name)
    value = "" if value is None else str(value)
    value = one_line(value) if name in ONE_LINE else unicodedata.normalize("NFC", value).strip()
    if len(value) > LIMITS[name]:
        raise FieldProblem(
            _("“%(field)s” is longer than %(max)d characters.")
            % {"field": str(Actor._meta.get_field(name).verbose_name), "max": LIMITS[name]},
            name,
        )
    return value


def _coordinate(value, bounds, message, field):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise FieldProblem(message, field) from None
    try:
        if not number.is_finite() or not (bounds[0] <= number <= bounds[1]):
            raise FieldProblem(message, field)
        return number.quantize(Decimal("0.000001"))
    except (InvalidOperation, ArithmeticError):
        raise FieldProblem(message, field) from None


def check(data: dict, *, zone: Zone) -> tuple[dict, list[FieldProblem]]:
    """The actor's fields from `data` (the model's field names; `parish` a Parish) and
    every problem found, each naming its field (messages in the active language)."""
    problems = []

    def fail(field, message):
        problems.append(FieldProblem(message, field))

    values = {}
    for name in LIMITS:
        try:
            values[name] = _text(data, name)
        except FieldProblem as problem:
            problems.append(problem)
            values[name] = ""
    if not values["name"] and not any(p.field == "name" for p in problems):
        fail("name", _("Give the actor's name."))
    for name, choices, message in (
        ("kind", Actor.Kind, _("Choose the type of actor.")),
        ("legal_status", Actor.LegalStatus, _("Choose the legal status.")),
        ("source", Actor.Source, _("Choose the source of the mapping.")),
    ):
        value = data.get(name)
        if value not in choices.values:
            fail(name, message)
        values[name] = value
    parish = data.get("parish")
    if not isinstance(parish, Parish) or not parishes_for(zone).filter(pk=parish.pk).exists():
        fail("parish", _("The parish must be one of the zone %(zone)s.") % {"zone": zone.name})
    year = data.get("year_mapped")
    this_year = timezone.localdate().year
    if isinstance(year, bool) or not isinstance(year, int) or not (FIRST_YEAR <= year <= this_year):
        fail(
            "year_mapped",
            _("The year mapped is a year from %(first)d to %(last)d.")
            % {"first": FIRST_YEAR, "last": this_year},
        )
    members = data.get("members")
    if members is not None and (
        isinstance(members, bool) or not isinstance(members, int) or not 0 <= members <= MAX_MEMBERS
    ):
        fail("members", _("The number of members is a whole number from 0 to 10,000,000."))
    lat = lon = None
    try:
        lat = _coordinate(
            data.get("lat"),
            LAT_RANGE,
            _("The latitude must be a point in Quito (e.g. -0.180653)."),
            "lat",
        )
    except FieldProblem as problem:
        problems.append(problem)
    try:
        lon = _coordinate(
            data.get("lon"),
            LON_RANGE,
            _("The longitude must be a point in Quito (e.g. -78.467834)."),
            "lon",
        )
    except FieldProblem as problem:
        problems.append(problem)
    if (lat is None) != (lon is None) and not any(p.field in {"lat", "lon"} for p in problems):
        fail(
            "lon" if lon is None else "lat",
            _("Give both the latitude and the longitude, or neither."),
        )
    if values["contact_email"]:
        try:
            validate_email(values["contact_email"])
        except ValidationError:
            fail("contact_email", _("The contact e-mail is not a valid address."))
    values.update(
        zone=zone,
        parish=parish,
        year_mapped=year,
        members=members,
        lat=lat,
        lon=lon,
        contact_public=bool(data.get("contact_public")),
        is_active=bool(data.get("is_active", True)),
    )
    if values["contact_public"] and not (
        values["contact_name"] or values["contact_email"] or values["contact_phone"]
    ):
        fail("contact_public", _("There are no contact details to publish."))
    return values, problems


def clean(data: dict, *, zone: Zone) -> dict:
    """The actor's fields from `data`, checked: the first problem is raised (FieldProblem)."""
    values, problems = check(data, zone=zone)
    if problems:
        raise problems[0]
    return values


def find_duplicate(*, parish, kind, name, exclude_pk=None):
    """The actor with this natural key (parish, type, name normalised and ignoring case),
    if any, whatever its zone."""
    # Compared in Python: SQLite's case folding is ASCII-only ("É" is not "é" there).
    wanted = name_key(name)
    found = Actor.objects.filter(parish=parish, kind=kind).select_related("zone", "parish")
    if exclude_pk:
        found = found.exclude(pk=exclude_pk)
    return next((actor for actor in found if name_key(actor.name) == wanted), None)


def duplicate_message(duplicate: Actor, zone: Zone) -> str:
    """The refusal for a natural key already taken by `duplicate` (seen from `zone`)."""
    if duplicate.zone_id != zone.pk:
        return _(
            "An actor with this name and type in this parish is registered by the zone "
            "%(zone)s: ask its staff, or use another name."
        ) % {"zone": duplicate.zone.name}
    return _("There is already an actor of this type with this name in the parish.")


@transaction.atomic
def actor_save(*, actor, zone: Zone, data: dict, record: Actor | None = None) -> Actor:
    """Create (record=None) or update `record` in `zone` with `data` (the model's field
    names; `parish` a Parish). `actor` is the user who writes."""
    _require(actor, zone)
    if record is not None:
        record = Actor.objects.select_for_update().get(pk=record.pk)
        _require(actor, record.zone)  # moving an actor out of a zone: staff of both
    values = clean(data, zone=zone)
    duplicate = find_duplicate(
        parish=values["parish"],
        kind=values["kind"],
        name=values["name"],
        exclude_pk=record.pk if record else None,
    )
    if duplicate is not None:
        raise FieldProblem(duplicate_message(duplicate, zone), "name")
    created = record is None
    before = snapshot(record, FIELDS)
    record = record or Actor()
    was_public = bool(record.pk and record.contact_public)
    for name, value in values.items():
        setattr(record, name, value)
    if record.contact_public and not was_public:
        record.contact_consent_at = timezone.now()
    elif not record.contact_public:
        record.contact_consent_at = None
    record.updated_by = actor if getattr(actor, "pk", None) else None
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        raise FieldProblem(
            _("There is already an actor of this type with this name in the parish."), "name"
        ) from None
    log(
        instance=record,
        action=audit.ACTOR_SAVE,
        user=actor,
        data={"created": created, "changed": changes(before, record, FIELDS, hidden=PERSONAL)},
    )
    return record


@transaction.atomic
def actor_delete(*, actor, record: Actor) -> None:
    _require(actor, record.zone)
    log(
        instance=record,
        action=audit.ACTOR_DELETE,
        user=actor,
        data={"name": record.name[:200], "zone": record.zone.slug},
    )
    record.delete()
