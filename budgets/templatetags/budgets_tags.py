"""Template helpers for budgets: money and links to a cycle's sub-pages."""

from django import template

from budgets.money import format_usd

register = template.Library()


@register.filter
def usd(value):
    """`{{ amount|usd }}` -> "USD 1.234,56" (es-EC) or "USD 1,234.56" (en)."""
    return format_usd(value)


@register.simple_tag
def cycle_url(cycle, name, *args):
    """URL of one of a cycle page's routes, e.g. `{% cycle_url page "vote" %}`."""
    return cycle.url + cycle.reverse_subpage(name, args=args or None)
