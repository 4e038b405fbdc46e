"""The zone page's section on its social actors: how many are mapped, by type, with a link
to the directory filtered to the zone (one query)."""

from django.db.models import Count
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from home.selectors import HomeSection

from .models import Actor


def zone_section(zone_page, request) -> HomeSection:
    zone = zone_page.zone
    base = reverse("actors:directory")
    labels = dict(Actor.Kind.choices)
    rows = (
        Actor.objects.filter(zone=zone, is_active=True)
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by("-n", "kind")
    )
    items = [
        {
            "url": f"{base}?{urlencode({'zona': zone.slug, 'tipo': row['kind']})}",
            "title": str(labels.get(row["kind"], row["kind"])),
            "meta": ngettext("%(count)s actor mapped", "%(count)s actors mapped", row["n"])
            % {"count": row["n"]},
        }
        for row in rows
    ]
    return HomeSection(
        key="actores",
        title=_("Social actors of this zone"),
        items=items,
        more_url=f"{base}?{urlencode({'zona': zone.slug})}",
    )
