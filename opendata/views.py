"""The dataset catalogue at /datos/ (a list page and one page per dataset), the same
catalogue as DCAT-AP JSON-LD for harvesters (/datos/catalogo.jsonld), and the territory's
downloads (parishes and zones in CSV, JSON and GeoJSON), built through quitodecide.exports.
Everything here reads `opendata.registry.datasets()`."""

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.template.response import TemplateResponse
from django.urls import resolve
from django.utils.translation import gettext as _

from quitodecide import exports
from territory.models import Parish, Zone

from . import dcat, registry

TERRITORY_EXPORT = exports.register(
    "opendata.territory",
    description="The district's parishes and zones: CSV, JSON and GeoJSON (CC BY 4.0).",
)
ATTRIBUTION = "Municipio del Distrito Metropolitano de Quito · Quito Decide"
PARISH_FIELDS = [
    "dpa_code",
    "name",
    "type",
    "zone_slug",
    "zone",
    "latitude",
    "longitude",
    "confidence",
]
ZONE_FIELDS = [
    "slug",
    "name",
    "official_name",
    "kind",
    "latitude",
    "longitude",
    "established",
    "parishes",
    "note",
]


# --- the catalogue ------------------------------------------------------------------------
def catalogue(request):
    items = sorted(registry.datasets(), key=lambda item: (str(item.theme), str(item.title)))
    entries = [{"dataset": item, "modified": item.modified()} for item in items]
    themes: dict[str, list] = {}
    for entry in entries:
        themes.setdefault(str(entry["dataset"].theme), []).append(entry)
    return TemplateResponse(
        request,
        "opendata/catalogue.html",
        {
            "themes": themes,
            "count": len(entries),
            "licence_name": registry.LICENCE_NAME,
            "licence_url": registry.LICENCE_URL,
            "publisher": registry.PUBLISHER,
        },
    )


def dataset_detail(request, slug):
    item = registry.dataset(slug)
    if item is None:
        raise Http404(_("There is no dataset with this name."))
    return TemplateResponse(
        request,
        "opendata/dataset.html",
        {
            "dataset": item,
            "modified": item.modified(),
            "issued": item.issued() if item.issued else None,
            "downloads": [
                {"distribution": d, "url": request.build_absolute_uri(d.url())}
                for d in item.distributions
            ],
            "licence_name": registry.LICENCE_NAME,
            "publisher": registry.PUBLISHER,
            "attribution": ATTRIBUTION,
        },
    )


def dataset_download(request, slug, fmt):
    """A download served by a page's route (a cycle's results, a consultation's report),
    under our stable catalogue URL: Wagtail serves the page's route itself, with its own
    checks (live, public), as if the page's address had been asked."""
    item = registry.dataset(slug)
    distribution = (
        next((d for d in item.distributions if d.format.lower() == fmt and d.path), None)
        if item
        else None
    )
    if distribution is None:
        raise Http404(_("There is no such download: see the dataset catalogue at /datos/."))
    match = resolve(distribution.path)
    return match.func(request, *match.args, **match.kwargs)


def catalogue_jsonld(request):
    """DCAT-AP in JSON-LD with its context inline (a harvester fetches nothing else)."""
    response = JsonResponse(
        dcat.catalogue(request),
        content_type="application/ld+json",
        encoder=DjangoJSONEncoder,
        json_dumps_params={"ensure_ascii": False, "indent": 1},
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- territory downloads --------------------------------------------------------------------
def _number(value):
    return float(value) if value is not None else None


def _parish_rows():
    for parish in Parish.objects.select_related("zone").order_by("dpa_code"):
        yield {
            "dpa_code": parish.dpa_code,
            "name": parish.name,
            "type": parish.type,
            "zone_slug": parish.zone.slug,
            "zone": parish.zone.name,
            "latitude": parish.lat,
            "longitude": parish.lon,
            "confidence": parish.confidence,
        }


def _zone_rows():
    zones = Zone.objects.annotate(parish_count=Count("parishes")).order_by("slug")
    for zone in zones:
        yield {
            "slug": zone.slug,
            "name": zone.name,
            "official_name": zone.official_name,
            "kind": zone.kind,
            "latitude": zone.lat,
            "longitude": zone.lon,
            "established": zone.since,
            "parishes": zone.parish_count,
            "note": zone.note,
        }


TERRITORY = {
    "parroquias": (PARISH_FIELDS, _parish_rows, "dpa_code"),
    "zonas": (ZONE_FIELDS, _zone_rows, "slug"),
}


def _feature(row: dict, key: str) -> dict:
    """A point where the row has one; RFC 7946 allows a feature without geometry."""
    lon, lat = row["longitude"], row["latitude"]
    geometry = (
        {"type": "Point", "coordinates": [float(lon), float(lat)]}
        if lat is not None and lon is not None
        else None
    )
    properties = {
        name: value for name, value in row.items() if name not in {"latitude", "longitude"}
    }
    return {"type": "Feature", "id": row[key], "geometry": geometry, "properties": properties}


def territory_download(request, kind, fmt):
    if kind not in TERRITORY or fmt not in {"csv", "json", "geojson"}:
        raise Http404(_("There is no such download: see the dataset catalogue at /datos/."))
    header, rows, key = TERRITORY[kind]
    filename = f"{kind}-quito"
    if fmt == "csv":
        return exports.csv_response(TERRITORY_EXPORT, filename=filename, header=header, rows=rows())
    items = list(rows())
    if fmt == "geojson":
        data = {
            "type": "FeatureCollection",
            "license": "CC BY 4.0",
            "license_url": registry.LICENCE_URL,
            "attribution": ATTRIBUTION,
            "features": [_feature(row, key) for row in items],
        }
        return exports.json_response(
            TERRITORY_EXPORT,
            filename=filename,
            data=data,
            content_type="application/geo+json",
        )
    for row in items:  # numbers for programs, not strings
        row["latitude"], row["longitude"] = _number(row["latitude"]), _number(row["longitude"])
    data = {
        "license": "CC BY 4.0",
        "license_url": registry.LICENCE_URL,
        "attribution": ATTRIBUTION,
        kind: items,
    }
    return exports.json_response(TERRITORY_EXPORT, filename=filename, data=data)
