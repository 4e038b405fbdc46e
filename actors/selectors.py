"""Reads of the map of social actors for the public pages, the open data and the
indicators. Nothing here returns a contact person's data unless the actor consents to
publishing it (`public_contact`)."""

from django.db.models import Count, Max, Q

from territory.permissions import staff_zones

from .models import Actor


def public_actors():
    """The actors the public directory lists (active ones)."""
    return Actor.objects.filter(is_active=True).select_related("zone", "parish")


def actors_for(user):
    """The actors `user` may edit in the admin: those of their zones (all for the
    city-wide team); none for anyone else."""
    zones = staff_zones(user)
    actors = Actor.objects.select_related("zone", "parish")
    if zones is None:
        return actors
    return actors.filter(zone__in=zones)


def imports_for(user):
    """The imports `user` may read: those of their zones (all for the city-wide team)."""
    from .models import ActorImport

    zones = staff_zones(user)
    imports = ActorImport.objects.select_related("zone", "imported_by")
    return imports if zones is None else imports.filter(zone__in=zones)


def public_contact(actor: Actor) -> dict | None:
    """The contact details the public may read: only while the actor consents."""
    if not actor.contact_public:
        return None
    contact = {
        "name": actor.contact_name,
        "email": actor.contact_email,
        "phone": actor.contact_phone,
    }
    return contact if any(contact.values()) else None


def filtered(*, zone=None, parish=None, kind="", legal_status="", year=None, text=""):
    actors = public_actors()
    if zone is not None:
        actors = actors.filter(zone=zone)
    if parish is not None:
        actors = actors.filter(parish=parish)
    if kind:
        actors = actors.filter(kind=kind)
    if legal_status:
        actors = actors.filter(legal_status=legal_status)
    if year:
        actors = actors.filter(year_mapped=year)
    if text:
        actors = actors.filter(
            Q(name__icontains=text)
            | Q(barrio__icontains=text)
            | Q(description__icontains=text)
            | Q(source_name__icontains=text)
        )
    return actors.order_by("zone__name", "name", "pk")


def years():
    return sorted(public_actors().values_list("year_mapped", flat=True).distinct(), reverse=True)


def counts_by_zone_year(actors=None) -> list[dict]:
    """The indicator: active actors per zone, year mapped and type, as rows
    {"zone_slug", "zone", "year", "kind", "kind_label", "actors"}, ordered by zone, year
    and type. No personal data."""
    actors = public_actors() if actors is None else actors
    labels = dict(Actor.Kind.choices)
    rows = (
        actors.values("zone__slug", "zone__name", "year_mapped", "kind")
        .annotate(actors=Count("pk"))
        .order_by("zone__name", "year_mapped", "kind")
    )
    return [
        {
            "zone_slug": row["zone__slug"],
            "zone": row["zone__name"],
            "year": row["year_mapped"],
            "kind": row["kind"],
            "kind_label": str(labels.get(row["kind"], row["kind"])),
            "actors": row["actors"],
        }
        for row in rows
    ]


def counts_table(actors=None) -> dict:
    """Per zone and year: the total and the count of each type (for the directory)."""
    kinds = list(Actor.Kind)
    table = {}
    for row in counts_by_zone_year(actors):
        key = (row["zone"], row["year"])
        entry = table.setdefault(
            key, {"zone": row["zone"], "year": row["year"], "total": 0, "kinds": {}}
        )
        entry["kinds"][row["kind"]] = row["actors"]
        entry["total"] += row["actors"]
    rows = []
    for entry in table.values():
        entry["cells"] = [entry["kinds"].get(kind.value, 0) for kind in kinds]
        rows.append(entry)
    return {"kinds": kinds, "rows": rows}


def map_point(actor: Actor):
    """(lat, lon, exact) of the actor: its own point, else its parish's, else its zone's."""
    for source, exact in ((actor, True), (actor.parish, False), (actor.zone, False)):
        if source is not None and source.lat is not None and source.lon is not None:
            return float(source.lat), float(source.lon), exact
    return None


def map_features(actors) -> list[dict]:
    """The map's markers: name, type, zone, parish and link; no contact data."""
    features = []
    for actor in actors:
        point = map_point(actor)
        if point is None:
            continue
        lat, lon, exact = point
        features.append(
            {
                "id": actor.pk,
                "name": actor.name,
                "kind": actor.get_kind_display(),
                "zone": actor.zone.name,
                "parish": actor.parish.name,
                "lat": lat,
                "lon": lon,
                "exact": exact,
            }
        )
    return features


DIRECTORY_COLUMNS = (
    "actor_id",
    "name",
    "kind",
    "kind_label",
    "zone_slug",
    "zone",
    "parish_dpa_code",
    "parish",
    "barrio",
    "legal_status",
    "members",
    "year_mapped",
    "source",
    "source_name",
    "latitude",
    "longitude",
)


def directory_rows() -> list[dict]:
    """The public directory as open data: every column but the contact person's."""
    rows = []
    for actor in public_actors().order_by("zone__name", "name", "pk"):
        rows.append(
            {
                "actor_id": actor.pk,
                "name": actor.name,
                "kind": actor.kind,
                "kind_label": actor.get_kind_display(),
                "zone_slug": actor.zone.slug,
                "zone": actor.zone.name,
                "parish_dpa_code": actor.parish.dpa_code,
                "parish": actor.parish.name,
                "barrio": actor.barrio,
                "legal_status": actor.legal_status,
                "members": actor.members,
                "year_mapped": actor.year_mapped,
                "source": actor.source,
                "source_name": actor.source_name,
                "latitude": actor.lat,
                "longitude": actor.lon,
            }
        )
    return rows


def last_modified():
    return Actor.objects.aggregate(last=Max("updated_at"))["last"]
