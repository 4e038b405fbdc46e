"""API: zones (zonal administrations) and parishes, the reference data every other
resource filters by (zone slug, parish DPA code)."""

from typing import Literal

from django.db.models import Count
from ninja import Field, Query, Router, Schema

from territory.models import Parish, Zone

from .apikit import Error, Page, PageParams, iso, not_found, paginate, zone_by_slug

router = Router(tags=["territory"])


class ParishOut(Schema):
    dpa_code: str = Field(description="INEC's geographic code (DPA), e.g. 170103.")
    name: str
    type: str = Field(description="urbana or rural.")
    zone: str = Field(description="Slug of the zone it belongs to.")
    latitude: float | None
    longitude: float | None


class ZoneOut(Schema):
    slug: str
    name: str
    official_name: str
    kind: str = Field(description="zonal or especial.")
    latitude: float | None
    longitude: float | None
    established: str | None = Field(description="Date the administration was created.")
    parish_count: int


class ZoneDetail(ZoneOut):
    parishes: list[ParishOut]


def _float(value):
    return float(value) if value is not None else None


def parish_data(parish: Parish, zone_slug: str) -> dict:
    return {
        "dpa_code": parish.dpa_code,
        "name": parish.name,
        "type": parish.type,
        "zone": zone_slug,
        "latitude": _float(parish.lat),
        "longitude": _float(parish.lon),
    }


def zone_data(zone: Zone) -> dict:
    return {
        "slug": zone.slug,
        "name": zone.name,
        "official_name": zone.official_name,
        "kind": zone.kind,
        "latitude": _float(zone.lat),
        "longitude": _float(zone.lon),
        "established": iso(zone.since),
        "parish_count": zone.parish_count,
    }


@router.get("/zones", response={200: Page[ZoneOut], 400: Error, 404: Error})
def zones(request, params: Query[PageParams]):
    """The zonal administrations of the district, by name."""
    queryset = Zone.objects.annotate(parish_count=Count("parishes")).order_by("name", "pk")
    return paginate(request, queryset, params, zone_data)


@router.get("/zones/{slug}", response={200: ZoneDetail, 404: Error})
def zone(request, slug: str):
    """One zone with its parishes."""
    found = Zone.objects.annotate(parish_count=Count("parishes")).filter(slug=slug).first()
    if found is None:
        raise not_found()
    data = zone_data(found)
    data["parishes"] = [
        parish_data(parish, found.slug) for parish in found.parishes.order_by("name", "pk")
    ]
    return data


class ParishFilters(Schema):
    zone: str | None = Field(None, description="Zone slug, e.g. calderon.")
    type: Literal["urbana", "rural"] | None = Field(None, description="urbana or rural.")


@router.get("/parishes", response={200: Page[ParishOut], 400: Error, 404: Error})
def parishes(request, filters: Query[ParishFilters], params: Query[PageParams]):
    """The parishes (parroquias) of the district, by name."""
    queryset = Parish.objects.select_related("zone").order_by("name", "pk")
    zone_found = zone_by_slug(filters.zone)
    if zone_found is not None:
        queryset = queryset.filter(zone=zone_found)
    if filters.type:
        queryset = queryset.filter(type=filters.type)
    return paginate(request, queryset, params, lambda p: parish_data(p, p.zone.slug))


@router.get("/parishes/{dpa_code}", response={200: ParishOut, 404: Error})
def parish(request, dpa_code: str):
    """One parish by its DPA code."""
    found = Parish.objects.select_related("zone").filter(dpa_code=dpa_code).first()
    if found is None:
        raise not_found()
    return parish_data(found, found.zone.slug)
