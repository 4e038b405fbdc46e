"""Loading the territory and creating the zone pages and per-zone staff groups."""

import csv
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from . import audit
from .models import Parish, Zone, ZoneIndexPage, ZonePage

DATA_DIR = Path(__file__).resolve().parent / "data"

PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
COLLECTION_PERMISSIONS = (
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
)


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict, key: str):
        bucket[key] = bucket.get(key, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


# City-wide staff (the municipality's participation team): acts on city-wide objects.
CITY_GROUP_NAME = "Equipo ciudad"


ZONE_GROUP_PREFIX = "Editores zona "


def zone_group_name(zone: Zone) -> str:
    return f"{ZONE_GROUP_PREFIX}{zone.name}"


def _decimal(value: str) -> Decimal | None:
    return Decimal(value).quantize(Decimal("0.000001")) if value else None


def _since(value: str) -> datetime.date | None:
    # The data gives a month ("2024-04"); store the first day of it.
    if not value:
        return None
    year, month = value.split("-")[:2]
    return datetime.date(int(year), int(month), 1)


def _sync(instance, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    if changed:
        instance.save()
    return changed


def _read(name: str) -> list[dict]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def territory_load() -> LoadReport:
    """Load zones and parishes, then the zone pages and staff groups. Idempotent.

    An existing parish keeps the zone it has in the database: staff may have moved it in the
    admin, and a reload must not undo their decision.
    """
    report = LoadReport()
    zones = _load_zones(report)
    _load_parishes(report, zones)
    _ensure_pages_and_groups(report, zones)
    return report


def _load_zones(report: LoadReport) -> dict[str, Zone]:
    zones = {}
    for row in _read("zones.csv"):
        values = {
            "name": row["name"],
            "official_name": row["official_name"],
            "kind": row["kind"],
            "lat": _decimal(row["lat"]),
            "lon": _decimal(row["lon"]),
            "since": _since(row["since"]),
            "note": row["note"],
        }
        zone = Zone.objects.filter(slug=row["slug"]).first()
        if zone is None:
            zone = Zone.objects.create(slug=row["slug"], **values)
            report.count(report.created, "zones")
        elif _sync(zone, values):
            report.count(report.updated, "zones")
        zones[zone.slug] = zone
    return zones


def _load_parishes(report: LoadReport, zones: dict[str, Zone]) -> None:
    for row in _read("parishes.csv"):
        values = {
            "name": row["name"],
            "type": row["type"],
            "lat": _decimal(row["lat"]),
            "lon": _decimal(row["lon"]),
            "confidence": row["confidence"],
        }
        parish = Parish.objects.filter(dpa_code=row["dpa_code"]).first()
        if parish is None:
            Parish.objects.create(dpa_code=row["dpa_code"], zone=zones[row["zone_slug"]], **values)
            report.count(report.created, "parishes")
        elif _sync(parish, values):
            report.count(report.updated, "parishes")


def _home_page() -> Page:
    from home.models import HomePage

    home = HomePage.objects.first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    # Wagtail's initial migration creates a placeholder "Welcome" page at depth 2.
    for placeholder in root.get_children().filter(content_type__model="page"):
        placeholder.delete()
    home = root.add_child(
        instance=HomePage(
            title="Quito Decide",
            slug="inicio",
            lead="La plataforma de participación ciudadana del Distrito Metropolitano de Quito.",
        )
    )
    from wagtail.models import Site

    Site.objects.update_or_create(
        is_default_site=True,
        defaults={
            "hostname": "localhost",
            "port": 80,
            "root_page": home,
            "site_name": "Quito Decide",
        },
    )
    return home


def _ensure_pages_and_groups(report: LoadReport, zones: dict[str, Zone]) -> None:
    home = _home_page()
    index = ZoneIndexPage.objects.first()
    if index is None:
        index = home.add_child(
            instance=ZoneIndexPage(
                title="Administraciones zonales",
                slug="zonas",
                intro=(
                    "<p>Las diez administraciones zonales del Distrito Metropolitano de Quito.</p>"
                ),
            )
        )
        report.count(report.created, "pages")
    city_group, created = Group.objects.get_or_create(name=CITY_GROUP_NAME)
    if created:
        report.count(report.created, "groups")
    root_collection = Collection.get_first_root_node()
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    # Staff verify residents in person at their zone's office (rule accounts.verify_resident);
    # the admin's residents screen is scoped to the staff's zones (territory.admin_scope).
    resident_permissions = list(
        Permission.objects.filter(
            content_type__app_label="accounts", codename__in=["view_resident", "change_resident"]
        )
    )
    city_group.permissions.add(access_admin, *resident_permissions)
    for zone in zones.values():
        page = ZonePage.objects.filter(zone=zone).first()
        if page is None:
            page = index.add_child(
                instance=ZonePage(
                    title=zone.official_name,
                    slug=zone.slug,
                    zone=zone,
                    seo_title=f"{zone.name} · Quito Decide",
                )
            )
            report.count(report.created, "pages")
        group, created = Group.objects.get_or_create(name=zone_group_name(zone))
        if created:
            report.count(report.created, "groups")
        group.permissions.add(access_admin, *resident_permissions)
        for codename in PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=page,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
        collection = root_collection.get_children().filter(name=zone.name).first()
        if collection is None:
            collection = root_collection.add_child(name=zone.name)
        for app_label, codename in COLLECTION_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=collection,
                permission=Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                ),
            )


PARISH_FIELDS = ("name", "dpa_code", "type", "zone", "lat", "lon", "confidence")


@transaction.atomic
def parish_update(*, parish: Parish, actor, **values) -> Parish:
    """Staff edit a parish (`values`: any of PARISH_FIELDS). Moving it to another zone moves
    its residents' zone with it (their parish is unchanged, so a verified residency stays
    verified), and is recorded as a move; other changes as an edit."""
    from django.utils.translation import gettext as _
    from wagtail.log_actions import log

    from accounts.services import residents_follow_parish
    from quitodecide.errors import DomainError, PermissionDenied

    from .permissions import is_zone_staff

    if not is_zone_staff(actor, None):
        raise PermissionDenied(_("Only the city-wide team can change the parishes."))
    unknown = set(values) - set(PARISH_FIELDS)
    if unknown:
        raise DomainError(_("Unknown parish fields: %(fields)s") % {"fields": sorted(unknown)})
    current = Parish.objects.select_for_update().select_related("zone").get(pk=parish.pk)
    changed = {name: value for name, value in values.items() if getattr(current, name) != value}
    if not changed:
        return current
    old_zone = current.zone
    for name, value in changed.items():
        setattr(current, name, value)
    current.full_clean()
    current.save(update_fields=list(changed))
    data = {"fields": sorted(changed)}
    if "zone" in changed:
        data |= {
            "from": old_zone.slug,
            "to": current.zone.slug,
            "residents": residents_follow_parish(parish=current),
        }
        log(instance=current, action=audit.PARISH_MOVE, user=actor, data=data)
    else:
        log(instance=current, action=audit.PARISH_EDIT, user=actor, data=data)
    return current
