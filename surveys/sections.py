"""The zone page's section of open surveys: the zone's own, then the city-wide ones."""

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from home.selectors import HomeSection

from . import selectors


def zone_section(zone_page, request) -> HomeSection:
    items = [
        {
            "url": survey.get_absolute_url(),
            "title": survey.title,
            "meta": _("Open until %(date)s")
            % {"date": formats.date_format(timezone.localtime(survey.closes_at), "j F Y")},
        }
        for survey in selectors.open_surveys_for_zone(zone_page.zone)
    ]
    return HomeSection(
        key="encuestas", title=_("Open surveys"), items=items, more_url=reverse("surveys:index")
    )
