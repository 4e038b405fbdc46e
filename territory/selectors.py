"""Reads for zone pages, and the hook through which other apps add sections to them."""

# Apps append callables `f(zone_page, request) -> home.selectors.HomeSection` from their
# AppConfig.ready (assemblies of the zone, budget cycles, consultations...). Sections with
# no items are not rendered.
ZONE_SECTION_PROVIDERS: list = []


def zone_sections(zone_page, request) -> list:
    sections = (provider(zone_page, request) for provider in ZONE_SECTION_PROVIDERS)
    return [section for section in sections if section.items]
