"""Sections that assemblies add to the home page and to each zone page."""

from django.utils.translation import gettext as _

from home.selectors import HomeSection

from . import selectors
from .models import AssemblyIndexPage


def _index_url() -> str:
    index = AssemblyIndexPage.objects.live().first()
    return index.url if index else ""


def home_section(request) -> HomeSection:
    return HomeSection(
        key="assemblies",
        title=_("Assemblies: live now and upcoming"),
        items=selectors.upcoming_and_live(),
        more_url=_index_url(),
    )


def zone_upcoming(zone_page, request) -> HomeSection:
    items = selectors.upcoming_and_live(zone_page=zone_page)
    index_url = _index_url() if items else ""
    return HomeSection(
        key="assemblies",
        title=_("Assemblies of this zone"),
        items=items,
        more_url=f"{index_url}?zona={zone_page.zone.slug}" if index_url else "",
    )


def zone_results(zone_page, request) -> HomeSection:
    return HomeSection(
        key="assembly-results",
        title=_("Assembly results and minutes"),
        items=selectors.results_for_zone(zone_page),
    )


def zone_statistics(zone_page, request) -> HomeSection:
    return HomeSection(
        key="assembly-statistics",
        title=_("Assemblies held, by year and type"),
        items=selectors.stats_cards(zone_page),
    )


zone_sections = [zone_upcoming, zone_results, zone_statistics]
