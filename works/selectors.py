"""Reads for the public works pages. One function, `filtered_works`, turns the query string
into the set of works that the list, the map (GeoJSON) and the CSV all show, so that they
always agree; the others read one work, summaries, and build the open-data payloads."""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, FloatField, Prefetch, Sum
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.http import urlencode

from discussions.models import Comment

from .forms import (
    DEFAULT_PAGE_SIZE,
    DEFAULT_SORT,
    FILTER_FIELDS,
    PAGE_SIZES,
    WorkFilterForm,
    work_years,
)
from .models import Observation, Work, WorkUpdate
from .status import WorkStatus

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
ATTRIBUTION = "Municipio del Distrito Metropolitano de Quito · Quito Decide"
ORDERINGS = {
    "reciente": (F("last_update_on").desc(nulls_last=True), "-pk"),
    "avance": ("-physical_progress", "code"),
    "monto": ("-amount_assigned", "code"),
    "codigo": ("code",),
}
# Map clustering: points are grouped in square cells of CELL_PX screen pixels at the
# requested zoom (Web Mercator, 256 px tiles), the grid Leaflet and OpenStreetMap use.
CELL_PX = 64
TILE_PX = 256
MAX_ZOOM = 20
OBSERVATIONS_SHOWN = 20


@dataclass
class FilteredWorks:
    """The works chosen by a query string, and what the page needs to say about it."""

    form: WorkFilterForm
    queryset: object  # the filtered, ordered QuerySet of Work
    criteria: dict
    ignored: list[str] = field(default_factory=list)
    sort: str = DEFAULT_SORT
    page_size: int = DEFAULT_PAGE_SIZE

    def ignored_labels(self) -> list[str]:
        return [str(self.form.fields[name].label) for name in self.ignored]


def filtered_works(params, *, years=None) -> FilteredWorks:
    """The one selector of the works list, map and downloads: filters from `params` (a
    QueryDict or dict: zona, parroquia, estado, anio, origen; orden, por_pagina). A value
    that cannot be used is ignored and named in `ignored`; it never fails."""
    form = WorkFilterForm(params, years=work_years() if years is None else years)
    criteria = form.criteria()
    ignored = form.ignored()
    queryset = Work.objects.select_related("zone", "parish")
    if "zona" in criteria:
        queryset = queryset.filter(zone=criteria["zona"])
    if "parroquia" in criteria:
        queryset = queryset.filter(parish=criteria["parroquia"])
    if "estado" in criteria:
        queryset = queryset.filter(status=criteria["estado"])
    if "anio" in criteria:
        queryset = queryset.filter(year=criteria["anio"])
    if "origen" in criteria:
        queryset = queryset.filter(source=criteria["origen"])
    sort = criteria.get("orden", DEFAULT_SORT)
    page_size = criteria.get("por_pagina", DEFAULT_PAGE_SIZE)
    if page_size not in PAGE_SIZES:
        page_size = DEFAULT_PAGE_SIZE
    return FilteredWorks(
        form=form,
        queryset=queryset.order_by(*ORDERINGS[sort]),
        criteria=criteria,
        ignored=ignored,
        sort=sort,
        page_size=page_size,
    )


def filter_values(filtered: "FilteredWorks") -> dict:
    """The filters in use, as they travel in a URL (ignored ones left out)."""
    values = {}
    for name in FILTER_FIELDS:
        if name in filtered.criteria:
            value = filtered.criteria[name]
            values[name] = (
                value.slug if name == "zona" else value.pk if name == "parroquia" else value
            )
    return values


def filter_query(filtered: "FilteredWorks") -> str:
    """The filter part of a query string, for links from the list to the map and the
    downloads, and for pagination links."""
    return urlencode(filter_values(filtered))


# --- one work -----------------------------------------------------------------------------
def work_detail(code: str) -> Work:
    """A work with everything its page shows, in a fixed number of queries. Raises
    Work.DoesNotExist."""
    from .models import CommitteeMember, WorkDocument, WorkPhoto

    return (
        Work.objects.select_related("zone", "parish", "cycle", "request__cycle")
        .prefetch_related(
            Prefetch(
                "updates",
                queryset=WorkUpdate.objects.order_by("-date", "-pk").prefetch_related(
                    Prefetch("photos", queryset=WorkPhoto.objects.order_by("pk"))
                ),
                to_attr="timeline",
            ),
            Prefetch("committee", queryset=CommitteeMember.objects.order_by("role", "pk")),
            Prefetch(
                "documents",
                queryset=WorkDocument.objects.select_related("document").order_by("pk"),
            ),
        )
        .get(code=code)
    )


def visible_observations(work, *, limit: int = OBSERVATIONS_SHOWN) -> list[Observation]:
    """The newest observations whose comment is visible (moderated ones do not show)."""
    return list(
        Observation.objects.filter(work=work, comment__status=Comment.Status.VISIBLE)
        .select_related("comment__author__resident")
        .order_by("-created_at", "-pk")[:limit]
    )


def observation_summary(work, *, since) -> list[dict]:
    """How many visible observations of each assessment since `since` (one query)."""
    from .models import Assessment

    counts = dict(
        Observation.objects.filter(
            work=work, comment__status=Comment.Status.VISIBLE, created_at__gte=since
        )
        .values_list("assessment")
        .annotate(n=Count("pk"))
        .values_list("assessment", "n")
    )
    return [
        {"value": value, "label": label, "count": counts.get(value, 0)}
        for value, label in Assessment.choices
    ]


# --- summaries ----------------------------------------------------------------------------
@dataclass
class StatusSummary:
    rows: list[dict]
    total_works: int
    total_invested: Decimal


def status_summary(queryset=None) -> StatusSummary:
    """How many works in each status, and the money executed so far (one query)."""
    queryset = Work.objects.all() if queryset is None else queryset
    rows = {
        row["status"]: row
        for row in queryset.order_by()
        .values("status")
        .annotate(n=Count("pk"), invested=Sum("amount_executed"))
    }
    summary_rows = [
        {"status": value, "label": label, "count": rows[value]["n"] if value in rows else 0}
        for value, label in WorkStatus.choices
    ]
    invested = sum((row["invested"] or Decimal("0") for row in rows.values()), Decimal("0"))
    return StatusSummary(
        rows=summary_rows,
        total_works=sum(row["count"] for row in summary_rows),
        total_invested=invested,
    )


# --- open data ----------------------------------------------------------------------------
def _mercator(lon: float, lat: float, zoom: int) -> tuple[float, float]:
    scale = TILE_PX * (2**zoom)
    lat = max(min(lat, 85.05112878), -85.05112878)
    x = (lon + 180.0) / 360.0 * scale
    radians = math.radians(lat)
    y = (1.0 - math.log(math.tan(radians) + 1.0 / math.cos(radians)) / math.pi) / 2.0 * scale
    return x, y


def parse_zoom(value) -> int | None:
    """A zoom level 0..MAX_ZOOM, or None (absent or unusable: plain points)."""
    try:
        zoom = int(value)
    except (TypeError, ValueError):
        return None
    return zoom if 0 <= zoom <= MAX_ZOOM else None


def parse_bbox(value) -> tuple[float, float, float, float] | None:
    """ "west,south,east,north" in degrees (RFC 7946 order), or None when unusable."""
    try:
        west, south, east, north = (float(part) for part in str(value).split(","))
    except (TypeError, ValueError):
        return None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        return None
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        return None
    return west, south, east, north


GEO_FIELDS = (
    "code",
    "title",
    "status",
    "year",
    "source",
    "last_update_on",
    "zone__name",
    "parish__name",
)
# Read as floats by the database: building 60,000 Decimals for a map of 10,000 points was
# half of the GeoJSON's time (make bench-works), and JSON numbers are floats anyway. Amounts
# have at most 14 significant digits, which a double holds exactly to the cent.
GEO_NUMBERS = (
    "physical_progress",
    "financial_progress",
    "amount_assigned",
    "amount_executed",
    "latitude",
    "longitude",
)


def _geo_rows(queryset) -> list[dict]:
    casts = {f"{name}_f": Cast(name, FloatField()) for name in GEO_NUMBERS}
    rows = list(queryset.values(*GEO_FIELDS, **casts))
    for row in rows:
        for name in GEO_NUMBERS:
            value = row.pop(f"{name}_f")
            row[name] = int(value) if value is not None and value.is_integer() else value
    return rows


def _detail_url_prefix() -> str:
    """`/obras/` as the detail route spells it: codes are [A-Z0-9-], so the URL of each of
    thousands of features is this prefix + code + "/" (one reverse() instead of one each)."""
    marker = "CODE"
    url = reverse("works:detail", args=[marker])
    return url[: url.rindex(marker)]


def _point_feature(row: dict, status_labels: dict, prefix: str | None = None) -> dict:
    lon, lat = float(row["longitude"]), float(row["latitude"])
    return {
        "type": "Feature",
        "id": row["code"],
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "cluster": False,
            "count": 1,
            "code": row["code"],
            "title": row["title"],
            "status": row["status"],
            "status_label": status_labels.get(row["status"], row["status"]),
            "physical_progress": row["physical_progress"],
            "financial_progress": row["financial_progress"],
            "amount_assigned_usd": row["amount_assigned"],
            "amount_executed_usd": row["amount_executed"],
            "year": row["year"],
            "source": row["source"],
            "zone": row["zone__name"],
            "parish": row["parish__name"],
            "last_update_on": row["last_update_on"].isoformat() if row["last_update_on"] else None,
            "url": f"{prefix if prefix is not None else _detail_url_prefix()}{row['code']}/",
        },
    }


def _cluster_feature(rows: list[dict]) -> dict:
    lons = [float(row["longitude"]) for row in rows]
    lats = [float(row["latitude"]) for row in rows]
    statuses = Counter(row["status"] for row in rows)
    return {
        "type": "Feature",
        "bbox": [min(lons), min(lats), max(lons), max(lats)],
        "geometry": {
            "type": "Point",
            "coordinates": [round(sum(lons) / len(lons), 6), round(sum(lats) / len(lats), 6)],
        },
        "properties": {
            "cluster": True,
            "count": len(rows),
            "statuses": dict(sorted(statuses.items())),
        },
    }


def geojson(filtered: FilteredWorks, *, zoom: int | None = None, bbox=None) -> dict:
    """The filtered works as an RFC 7946 FeatureCollection ([longitude, latitude]). With a
    zoom level, points that fall in the same CELL_PX grid cell become one cluster feature
    (`cluster: true`, `count`); a cell with one work stays a plain point. The `count`s of
    all features add up to the located works of the filtered set. Works without a location
    are counted in `without_location`. No personal data: no committee, no authors."""
    queryset = filtered.queryset
    total = queryset.count()
    located = queryset.filter(latitude__isnull=False, longitude__isnull=False)
    if bbox is not None:
        west, south, east, north = bbox
        located = located.filter(
            longitude__gte=west, longitude__lte=east, latitude__gte=south, latitude__lte=north
        )
    rows = _geo_rows(located)
    labels = {value: str(label) for value, label in WorkStatus.choices}
    prefix = _detail_url_prefix()
    if zoom is None:
        features = [_point_feature(row, labels, prefix) for row in rows]
    else:
        cells: dict[tuple[int, int], list[dict]] = defaultdict(list)
        for row in rows:
            x, y = _mercator(float(row["longitude"]), float(row["latitude"]), zoom)
            cells[(int(x // CELL_PX), int(y // CELL_PX))].append(row)
        features = [
            _point_feature(members[0], labels, prefix)
            if len(members) == 1
            else _cluster_feature(members)
            for _key, members in sorted(cells.items())
        ]
    collection = {
        "type": "FeatureCollection",
        "license": LICENCE,
        "license_url": LICENCE_URL,
        "attribution": ATTRIBUTION,
        "total": total,
        # Works of the set drawn here (the features' counts add up to it).
        "located": len(rows),
        "without_location": (
            total - len(rows)
            if bbox is None
            else total - queryset.filter(latitude__isnull=False).count()
        ),
        "zoom": zoom,
        "filters": filter_values(filtered),
        "ignored_filters": filtered.ignored,
        "features": features,
    }
    if rows:
        lons = [float(row["longitude"]) for row in rows]
        lats = [float(row["latitude"]) for row in rows]
        collection["bbox"] = [min(lons), min(lats), max(lons), max(lats)]
    return collection


CSV_FIELDS = [
    "code",
    "title",
    "zone",
    "parish",
    "barrio",
    "year",
    "source",
    "status",
    "physical_progress",
    "financial_progress",
    "amount_assigned_usd",
    "amount_contracted_usd",
    "amount_executed_usd",
    "responsible_unit",
    "contractor",
    "contract_number",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "last_update_on",
    "latitude",
    "longitude",
    "url",
    "licence",
]


def csv_rows(filtered: FilteredWorks, *, base_url: str = ""):
    """One row per work of the filtered set; amounts and figures stay Decimal (numbers in
    the CSV). No personal data: no committee, no contractor RUC, no authors."""
    prefix = base_url + _detail_url_prefix()
    for work in filtered.queryset.iterator(chunk_size=500):
        yield {
            "code": work.code,
            "title": work.title,
            "zone": work.zone.name,
            "parish": work.parish.name if work.parish_id else "",
            "barrio": work.barrio_name,
            "year": work.year,
            "source": work.source,
            "status": work.status,
            "physical_progress": work.physical_progress,
            "financial_progress": work.financial_progress,
            "amount_assigned_usd": work.amount_assigned,
            "amount_contracted_usd": work.amount_contracted,
            "amount_executed_usd": work.amount_executed,
            "responsible_unit": work.responsible_unit,
            "contractor": work.contractor_name,
            "contract_number": work.contract_number,
            "planned_start": work.planned_start,
            "planned_end": work.planned_end,
            "actual_start": work.actual_start,
            "actual_end": work.actual_end,
            "last_update_on": work.last_update_on,
            "latitude": work.latitude,
            "longitude": work.longitude,
            "url": f"{prefix}{work.code}/",
            "licence": LICENCE,
        }


def zone_works(zone, *, limit: int = 6) -> list[Work]:
    """The zone's works most recently updated (one query)."""
    return list(
        Work.objects.filter(zone=zone)
        .select_related("parish")
        .order_by(*ORDERINGS["reciente"])[:limit]
    )


def describe_rule() -> dict:
    """The contradiction rule's figures, for the sentence on the work page."""
    from .veeduria import CONTRADICTS, THRESHOLD, WINDOW_DAYS

    return {
        "window_days": WINDOW_DAYS,
        "threshold": THRESHOLD,
        "contradictions": [
            {
                "status": WorkStatus(status).label,
                "assessments": [_label_of(a) for a in sorted(assessments)],
            }
            for status, assessments in CONTRADICTS.items()
        ],
    }


def _label_of(assessment: str) -> str:
    from .models import Assessment

    return str(Assessment(assessment).label)
