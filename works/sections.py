"""The works' sections on the home page and on each zone page (being written)."""

from home.selectors import HomeSection


def home_section(request) -> HomeSection:
    return HomeSection(key="obras", title="", items=[])


def zone_section(zone_page, request) -> HomeSection:
    return HomeSection(key="obras", title="", items=[])
