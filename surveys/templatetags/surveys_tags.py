from django import template

from surveys import selectors

register = template.Library()


@register.simple_tag
def open_surveys_for_zone(zone):
    """The standalone surveys open now for `zone` (its own and the city-wide ones)."""
    if zone is None:
        return []
    return selectors.open_surveys_for_zone(zone)
