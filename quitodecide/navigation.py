"""The header's sections and the zone pages' locator map, for every template.

Navigation: one ordered setting, ``NAVIGATION`` (overridable as
``settings.QUITODECIDE_NAVIGATION``). An entry names either a page type, e.g.
``consultations.ConsultationIndexPage``, resolved against the page tree (shown only while a
live, public page of that type exists in the request's site, linked to that page's URL), or a
URL name for the sections that are not pages (works, open data, search). No path is written
in a template.

Cost: the page entries are read with one query and kept in the cache framework per site;
publishing, unpublishing, moving, saving or deleting any page drops them. A page rendered by
Wagtail has been routed already (Wagtail keeps the route on the request), so finding the
current section costs nothing either: on a warm cache the header costs no query.

The current section is the one the page's app belongs to (a consultation under a zone page
still marks "Consultas"); views outside the page tree are matched by URL prefix.
"""

import logging
import math
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

CACHE_KEY = "quitodecide:navigation:v2"  # {site id: {page type: URL}}
CACHE_SECONDS = 60 * 60


@dataclass(frozen=True)
class Entry:
    """One header section. ``page_type`` (an "app.Model" label) or ``url_name``;
    ``apps``: the apps whose pages belong to the section (default: the page type's app)."""

    key: str
    label: str
    icon: str
    page_type: str = ""
    url_name: str = ""
    apps: tuple = ()


NAVIGATION = (
    Entry(
        "consultas",
        _("Consultations"),
        "consultations",
        page_type="consultations.ConsultationIndexPage",
        apps=("consultations", "discussions"),
    ),
    Entry(
        "presupuestos",
        _("Budgets"),
        "budgets",
        page_type="budgets.BudgetIndexPage",
        apps=("budgets", "proposals"),
    ),
    Entry("asambleas", _("Assemblies"), "assemblies", page_type="assemblies.AssemblyIndexPage"),
    Entry("obras", _("Works"), "works", url_name="works:list"),
    Entry("datos", _("Open data"), "data", url_name="opendata:catalogue"),
    Entry("zonas", _("Zones"), "zones", page_type="territory.ZoneIndexPage"),
    Entry("buscar", _("Search"), "search", url_name="search"),
)

# Links of the footer: the sections that do not fit the header.
FOOTER_LINKS = (
    Entry("indicadores", _("Participation indicators"), "data", url_name="indicators:index"),
    Entry("gobierno-abierto", _("Open government"), "data", url_name="opengov:list"),
    Entry("concejo", _("Metropolitan Council"), "assemblies", url_name="council:calendar"),
    Entry("actores", _("Social actors"), "zones", url_name="actors:directory"),
    Entry("formacion", _("Citizen training"), "assemblies", url_name="training:index"),
    Entry("encuestas", _("Surveys"), "consultations", url_name="surveys:index"),
)


def entries() -> tuple:
    return tuple(getattr(settings, "QUITODECIDE_NAVIGATION", NAVIGATION))


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    icon: str
    url: str
    current: bool = False


def _page_model(label: str):
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _root(request):
    """(site id, root url_path) of the request's site without a query once Wagtail's root
    paths are cached: the site Wagtail routed the page through, else the only site (the
    usual case), else Wagtail's own lookup by host name."""
    from wagtail.models import Site

    roots = Site.get_site_root_paths()
    site = getattr(request, "_wagtail_site", None)
    if site is None and len({root.site_id for root in roots}) > 1:
        site = Site.find_for_request(request)
    if site is not None:
        return next(((r.site_id, r.root_path) for r in roots if r.site_id == site.pk), None)
    return (roots[0].site_id, roots[0].root_path) if roots else None


def _page_urls(request) -> dict:
    """{page type label: URL} of the first live page of each navigation page type at the
    top of the site's tree (one query, then the cache). A private page is left out."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, PageViewRestriction

    root = _root(request)
    if root is None:
        return {}
    site_id, root_path = root
    cached = _cache_call(cache.get, CACHE_KEY) or {}
    if site_id in cached:
        return cached[site_id]
    wanted = {}  # content type id -> page type label
    for entry in entries():
        model = _page_model(entry.page_type) if entry.page_type else None
        if model is not None:
            wanted[ContentType.objects.get_for_model(model).pk] = entry.page_type
    urls = {}
    if wanted:
        depth = root_path.count("/") - 1  # "/inicio/" is one level; its children two...
        pages = (
            Page.objects.live()
            .filter(url_path__startswith=root_path, content_type_id__in=wanted)
            .exclude(pk__in=PageViewRestriction.objects.values("page_id"))
            .only("pk", "path", "depth", "url_path", "content_type_id")
            .order_by("path")
        )
        for page in pages:
            label = wanted[page.content_type_id]
            if label in urls or page.url_path.count("/") - 1 > depth + 2:
                continue
            if url := page.get_url(None):  # relative with one site, absolute with several
                urls[label] = url
    _cache_call(
        cache.set,
        CACHE_KEY,
        {**(_cache_call(cache.get, CACHE_KEY) or {}), site_id: urls},
        CACHE_SECONDS,
    )
    return urls


def _cache_call(method, *args):
    """A cache call that fails open: with the cache (Redis) down the header is computed
    with its one query and the page still renders; a write is never failed by it."""
    try:
        return method(*args)
    except Exception as error:
        logger.warning("Navigation cache unavailable: %s", type(error).__name__)
        return None


def current_page(request):
    """The Wagtail page this request was routed to, if Wagtail routed it (no query)."""
    route = getattr(request, "_wagtail_route_for_request", None)
    return route[0] if route else None


def _section_key(request, items: list, page) -> str:
    if page is not None:
        app_label = type(page)._meta.app_label
        for entry in entries():
            owned = entry.apps or ((entry.page_type.split(".")[0],) if entry.page_type else ())
            if app_label in owned:
                return entry.key
    path = request.path
    best = ""
    best_len = 0
    for item in items:
        if item.url != "/" and path.startswith(item.url) and len(item.url) > best_len:
            best, best_len = item.key, len(item.url)
    return best


class Navigation:
    """What base.html reads: ``items`` (header), ``footer`` and ``current``."""

    def __init__(self, request):
        self.request = request

    @cached_property
    def _raw(self) -> list:
        page_urls = _page_urls(self.request)
        rows = []
        for entry in entries():
            url = page_urls.get(entry.page_type) if entry.page_type else _reverse(entry.url_name)
            if url:
                rows.append(Item(entry.key, entry.label, entry.icon, url))
        return rows

    @cached_property
    def current(self) -> str:
        return _section_key(self.request, self._raw, current_page(self.request))

    @cached_property
    def items(self) -> list:
        current = self.current
        return [
            Item(row.key, row.label, row.icon, row.url, current=row.key == current)
            for row in self._raw
        ]

    @cached_property
    def footer(self) -> list:
        rows = []
        for entry in FOOTER_LINKS:
            url = _reverse(entry.url_name)
            if url:
                rows.append(Item(entry.key, entry.label, entry.icon, url))
        return rows


def _reverse(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def forget(**kwargs):
    """Drop the cached navigation of every site."""
    _cache_call(cache.delete, CACHE_KEY)


def touches_navigation(url_path: str) -> bool:
    """Can a change to the page at ``url_path`` change the header? Only at the top of a
    site's tree: a site's root, its ancestors, and the two levels below the root (where the
    navigation's index pages are looked for). A consultation or an assembly being saved
    does not drop the cache."""
    from wagtail.models import Site

    if not url_path:
        return True
    for root in Site.get_site_root_paths():
        if root.root_path.startswith(url_path):
            return True
        if url_path.startswith(root.root_path):
            rest = url_path[len(root.root_path) :].strip("/")
            if len(rest.split("/")) <= 2:
                return True
    return False


def _on_page_change(sender, instance=None, **kwargs):
    from wagtail.models import Page

    if not isinstance(instance, Page):
        return
    paths = [instance.url_path or "", kwargs.get("url_path_before") or ""]
    if any(touches_navigation(path) for path in paths if path) or not any(paths):
        forget()


def connect_signals():
    """Called at import: publish, unpublish, move, slug change, save and delete of a page
    at the top of the tree."""
    from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

    for signal in (page_published, page_unpublished, post_page_move, page_slug_changed):
        signal.connect(_on_page_change, dispatch_uid=f"navigation-{id(signal)}")
    post_save.connect(_on_page_change, dispatch_uid="navigation-post-save")
    post_delete.connect(_on_page_change, dispatch_uid="navigation-post-delete")


connect_signals()


# --- the zone pages' locator map ------------------------------------------------------------
MAP_WIDTH = 320
MAP_HEIGHT = 360
MAP_PAD = 14


@dataclass(frozen=True)
class MapPoint:
    x: float
    y: float
    name: str
    zone_id: int


@dataclass(frozen=True)
class MapZone:
    pk: int
    slug: str
    name: str
    outline: str  # SVG polygon points, "" when the zone has fewer than three points
    seat: MapPoint | None


@dataclass
class DistrictMap:
    """A schematic map of the Metropolitan District: every parish as a dot at its
    coordinates, each zone as the outline around its parishes and seat. Already projected
    into a ``width`` x ``height`` SVG box; the template marks the zone of the page."""

    points: list
    zones: list
    width: int = MAP_WIDTH
    height: int = MAP_HEIGHT


def _hull(points: list) -> list:
    """Convex hull (monotone chain) of (x, y) tuples."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def district_map() -> DistrictMap | None:
    """Two queries: the parishes' and the zones' coordinates."""
    from territory.models import Parish, Zone

    parishes = [
        (float(lat), float(lon), name, zone_id)
        for lat, lon, name, zone_id in Parish.objects.filter(
            lat__isnull=False, lon__isnull=False
        ).values_list("lat", "lon", "name", "zone_id")
    ]
    if not parishes:
        return None
    zones = list(Zone.objects.order_by("name").values_list("pk", "slug", "name", "lat", "lon"))
    seats = {pk: (float(lat), float(lon)) for pk, _s, _n, lat, lon in zones if lat is not None}
    lats = [row[0] for row in parishes] + [lat for lat, _lon in seats.values()]
    lons = [row[1] for row in parishes] + [lon for _lat, lon in seats.values()]
    # Equirectangular: Quito sits on the equator, a degree is about as long both ways.
    kx = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lons) - min(lons)) * kx, 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    scale = min((MAP_WIDTH - 2 * MAP_PAD) / span_x, (MAP_HEIGHT - 2 * MAP_PAD) / span_y)
    off_x = (MAP_WIDTH - span_x * scale) / 2
    off_y = (MAP_HEIGHT - span_y * scale) / 2

    def project(lat, lon):
        return (
            round(off_x + (lon - min(lons)) * kx * scale, 1),
            round(off_y + (max(lats) - lat) * scale, 1),
        )

    points = [MapPoint(*project(lat, lon), name, zone_id) for lat, lon, name, zone_id in parishes]
    map_zones = []
    for pk, slug, name, _lat, _lon in zones:
        mine = [(p.x, p.y) for p in points if p.zone_id == pk]
        seat = MapPoint(*project(*seats[pk]), name, pk) if pk in seats else None
        if seat:
            mine.append((seat.x, seat.y))
        hull = _hull(mine)
        outline = " ".join(f"{x},{y}" for x, y in hull) if len(hull) >= 3 else ""
        map_zones.append(MapZone(pk, slug, name, outline, seat))
    return DistrictMap(points=points, zones=map_zones)


class Portal:
    """``portal`` in every template: ``nav`` (header and footer) and ``district_map``
    (read by the zone pages only), both computed when first read."""

    def __init__(self, request):
        self.nav = Navigation(request)

    @cached_property
    def district_map(self):
        return district_map()


def portal(request) -> dict:
    """Context processor: the lazy ``portal``; a template that does not read it pays nothing."""
    return {"portal": SimpleLazyObject(lambda: Portal(request))}
