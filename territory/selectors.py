"""Reads for zone pages, and the hook through which other apps add sections to them."""

# Apps append callables `f(zone_page, request) -> home.selectors.HomeSection` from their
# AppConfig.ready (assemblies of the zone, budget cycles, consultations...). Sections with
# no items are not rendered.
ZONE_SECTION_PROVIDERS: list = []


def zone_sections(zone_page, request) -> list:
    sections = (provider(zone_page, request) for provider in ZONE_SECTION_PROVIDERS)
    return [section for section in sections if section.items]


def zone_page_of(page):
    """The ZonePage a page belongs to: itself, or its nearest ZonePage ancestor; None for
    city-wide pages (the home page, city-wide consultations). Cached on the page object.
    With `zone_of`, the one way the zone of any page is computed."""
    from wagtail.models import Page

    from .models import ZonePage

    if page is None:
        return None
    if "_zone_page_of" in page.__dict__:
        return page.__dict__["_zone_page_of"]
    if isinstance(page, ZonePage):
        found = page
    elif isinstance(page, Page) and page.depth and page.path:
        step = page.steplen
        paths = [page.path[:end] for end in range(step, len(page.path) + 1, step)]
        found = (
            ZonePage.objects.filter(path__in=paths)
            .select_related("zone")
            .order_by("-depth")
            .first()
        )
    else:
        found = None
    page.__dict__["_zone_page_of"] = found
    return found


def _nearest(path: str, by_path: dict, step: int):
    """The value of the longest prefix of `path` (a tree path of `step`-long parts) in
    `by_path`: the nearest ancestor, the page itself first."""
    for end in range(len(path), 0, -step):
        found = by_path.get(path[:end])
        if found is not None:
            return found
    return None


def zone_at(path: str, zones: dict):
    """The zone of the page at tree path `path`, with `zones` {zone page path: zone}:
    `zone_of`'s rule (nearest zone page, the page itself first) for a row read without
    its page model (the site search)."""
    from wagtail.models import Page

    return _nearest(path or "", zones, Page.steplen)


def prime_zones(pages) -> None:
    """Compute `zone_page_of` for many pages with one query (list pages), the same rule:
    the nearest ZonePage ancestor (or the page itself)."""
    from .models import ZonePage

    pages = [page for page in pages if "_zone_page_of" not in page.__dict__]
    if not pages:
        return
    paths = set()
    for page in pages:
        step = page.steplen
        paths.update(page.path[:end] for end in range(step, len(page.path) + 1, step))
    zone_pages = ZonePage.objects.filter(path__in=paths).select_related("zone")
    by_path = {zp.path: zp for zp in zone_pages}
    for page in pages:
        page.__dict__["_zone_page_of"] = _nearest(page.path, by_path, page.steplen)


def zone_of(page):
    """The zone of any page (see `zone_page_of`); None for city-wide pages."""
    zone_page = zone_page_of(page)
    return zone_page.zone if zone_page is not None else None
