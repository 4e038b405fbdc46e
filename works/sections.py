"""The works' sections on the home page (how many works in each status and the money
invested so far) and on each zone page (the zone's latest works, its summary and a map)."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from home.selectors import HomeSection

from . import selectors

ZONE_SECTION_SIZE = 6


def _status_items(summary, **filters) -> list[dict]:
    base = reverse("works:list")
    return [
        {
            "title": row["label"],
            "count": row["count"],
            "status": row["status"],
            "url": f"{base}?{urlencode(filters | {'estado': row['status']})}",
        }
        for row in summary.rows
    ]


def home_section(request) -> HomeSection:
    """Shown once the city has works (one query)."""
    summary = selectors.status_summary()
    return HomeSection(
        key="obras",
        title=_("Public works"),
        items=_status_items(summary) if summary.total_works else [],
        more_url=reverse("works:list"),
        template="works/includes/home_section.html",
        extra={"summary": summary},
    )


def zone_section(zone_page, request) -> HomeSection:
    """The zone's works: its summary, its latest updated works and their map (two queries;
    none of the works' own queries grow with their number)."""
    zone = zone_page.zone
    works = selectors.zone_works(zone, limit=ZONE_SECTION_SIZE)
    if not works:
        return HomeSection(key="obras", title=_("Public works of this zone"), items=[])
    summary = selectors.status_summary(zone.works.all())
    query = urlencode({"zona": zone.slug})
    return HomeSection(
        key="obras",
        title=_("Public works of this zone"),
        items=works,
        more_url=f"{reverse('works:list')}?{query}",
        template="works/includes/zone_section.html",
        extra={
            "summary": summary,
            "status_items": _status_items(summary, zona=zone.slug),
            "geojson_url": f"{reverse('works:geojson')}?{query}",
            "csv_url": f"{reverse('works:csv')}?{query}",
        },
    )
