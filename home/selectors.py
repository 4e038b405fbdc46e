"""Reads for the home page."""

from dataclasses import dataclass, field

from territory.models import ZonePage


@dataclass
class HomeSection:
    """One block of the home page filled by a capability (consultations, assemblies...)."""

    key: str
    title: str
    items: list = field(default_factory=list)
    more_url: str = ""
    # A section that needs more than a list of links names the template that renders it
    # (given `section`); `extra` carries what that template needs besides `items`.
    template: str = ""
    extra: dict = field(default_factory=dict)


# Capabilities append callables `f(request) -> HomeSection` here from their AppConfig.ready.
SECTION_PROVIDERS: list = []


def zone_pages_for_home():
    return ZonePage.objects.live().public().select_related("zone").order_by("zone__name")


def home_sections(request) -> list[HomeSection]:
    """Sections with content only: an empty section is never shown."""
    sections = (provider(request) for provider in SECTION_PROVIDERS)
    return [section for section in sections if section.items]
