"""Public pages of the map of social actors: the directory (/actores/) with its filters,
map and counts, an actor's page, and the open data (counts per zone, year and type; the
directory without contact details)."""

import re
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opendata.registry import LICENCE, LICENCE_URL, PUBLISHER
from quitodecide import exports
from territory.models import Parish, Zone

from . import selectors
from .models import Actor

OPENDATA_EXPORT = exports.register(
    "actors.opendata",
    description=(
        "The map of social actors: counts per zone, year mapped and type, and the public "
        "directory without contact details (CSV and JSON, CC BY 4.0)."
    ),
)
PER_PAGE = 20
MAX_MAP_POINTS = 2000
PAGE = re.compile(r"^[1-9]\d{0,5}$")
YEAR = re.compile(r"^(19|20|21)\d{2}$")
MAX_QUERY = 100


def _filters(request):
    """The directory's filters from the query string: (values, selected, problems). A
    value that is not understood is ignored with a note."""
    get = request.GET
    problems, selected = [], {}
    zone = None
    slug = get.get("zona", "")
    if slug:
        zone = Zone.objects.filter(slug=slug[:60]).first()
        if zone is None:
            problems.append(_("Unknown zone: showing every zone."))
        else:
            selected["zona"] = zone.slug
    parish = None
    code = get.get("parroquia", "")
    if code:
        parish = Parish.objects.filter(dpa_code=code[:6]).first() if len(code) == 6 else None
        if parish is None:
            problems.append(_("Unknown parish: showing every parish."))
        else:
            selected["parroquia"] = parish.dpa_code
    kind = get.get("tipo", "")
    if kind and kind not in Actor.Kind.values:
        problems.append(_("Unknown type of actor: showing every type."))
        kind = ""
    if kind:
        selected["tipo"] = kind
    status = get.get("estado", "")
    if status and status not in Actor.LegalStatus.values:
        problems.append(_("Unknown legal status: showing every status."))
        status = ""
    if status:
        selected["estado"] = status
    year = None
    year_text = get.get("anio", "")
    if year_text:
        if YEAR.match(year_text):
            year = int(year_text)
            selected["anio"] = year_text
        else:
            problems.append(_("The year is written with four digits (2025): showing every year."))
    text = " ".join(get.get("q", "").split())[:MAX_QUERY]
    if text:
        selected["q"] = text
    values = {
        "zone": zone,
        "parish": parish,
        "kind": kind,
        "legal_status": status,
        "year": year,
        "text": text,
    }
    return values, selected, problems


@require_GET
def directory(request):
    values, selected, problems = _filters(request)
    actors = selectors.filtered(**values)
    paginator = Paginator(actors, PER_PAGE)
    page_text = request.GET.get("pagina", "")
    number = int(page_text) if PAGE.match(page_text) else 1
    page = paginator.get_page(number)
    keep = urlencode(selected)

    def page_link(target):
        query = f"{keep}&pagina={target}" if keep else f"pagina={target}"
        return f"?{query}#lista"

    features = selectors.map_features(actors[:MAX_MAP_POINTS])
    context = {
        "page_obj": page,
        "actors": [(actor, selectors.public_contact(actor)) for actor in page.object_list],
        "count": paginator.count,
        "previous_page": page_link(page.number - 1) if page.has_previous() else "",
        "next_page": page_link(page.number + 1) if page.has_next() else "",
        "zones": Zone.objects.order_by("name"),
        "parishes": Parish.objects.select_related("zone").order_by("name"),
        "kinds": Actor.Kind.choices,
        "statuses": Actor.LegalStatus.choices,
        "years": selectors.years(),
        "selected": selected,
        "filtered": bool(selected),
        "problems": problems,
        "features": features,
        "counts": selectors.counts_table(actors),
    }
    return render(request, "actors/directory.html", context)


@require_GET
def detail(request, pk):
    actor = selectors.public_actors().filter(pk=pk).first() if 0 < pk < 2**31 else None
    if actor is None:
        raise Http404(_("There is no such social actor."))
    context = {
        "actor": actor,
        "contact": selectors.public_contact(actor),
        "features": selectors.map_features([actor]),
    }
    return render(request, "actors/detail.html", context)


# --- open data ----------------------------------------------------------------------------
COUNT_COLUMNS = ("zone_slug", "zone", "year", "kind", "kind_label", "actors")
DOWNLOADS = {
    "conteos": (
        "actores-sociales-conteos",
        COUNT_COLUMNS,
        lambda: selectors.counts_by_zone_year(),
    ),
    "directorio": (
        "actores-sociales-directorio",
        selectors.DIRECTORY_COLUMNS,
        selectors.directory_rows,
    ),
}


def _download(name, fmt):
    stem, columns, build = DOWNLOADS[name]
    rows = build()
    if fmt == "csv":
        return exports.csv_response(OPENDATA_EXPORT, filename=stem, header=columns, rows=rows)
    data = {
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "publisher": PUBLISHER,
        name: [{column: row[column] for column in columns} for row in rows],
    }
    return exports.json_response(OPENDATA_EXPORT, filename=stem, data=data)


def _download_view(name, fmt):
    @require_GET
    def view(request):
        return _download(name, fmt)

    view.__name__ = f"{name}_{fmt}"
    return view


download_views = {
    (name, fmt): _download_view(name, fmt) for name in DOWNLOADS for fmt in ("csv", "json")
}
