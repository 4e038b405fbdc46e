"""The zone page's section on training: the zone's next sessions (published plans, not
cancelled, not started), with a link to the training page filtered to the zone."""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from home.selectors import HomeSection

from .models import TrainingSession

ZONE_SECTION_SIZE = 4


def zone_section(zone_page, request) -> HomeSection:
    zone = zone_page.zone
    sessions = (
        TrainingSession.objects.filter(
            plan__zone=zone,
            plan__is_published=True,
            status=TrainingSession.Status.SCHEDULED,
            starts_at__gt=timezone.now(),
        )
        .select_related("plan")
        .order_by("starts_at", "pk")[:ZONE_SECTION_SIZE]
    )
    items = [
        {
            "url": session.get_absolute_url(),
            "title": session.title,
            "meta": formats.date_format(timezone.localtime(session.starts_at), "j F Y, H:i")
            + " · "
            + (session.place or _("Online")),
        }
        for session in sessions
    ]
    return HomeSection(
        key="formacion",
        title=_("Upcoming training sessions"),
        items=items,
        more_url=f"{reverse('training:index')}?{urlencode({'zona': zone.slug})}",
    )
