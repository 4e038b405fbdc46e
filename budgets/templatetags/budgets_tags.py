"""Template helpers for budgets: money."""

from django import template

from budgets.money import format_usd

register = template.Library()


@register.filter
def usd(value):
    """`{{ amount|usd }}` -> "USD 1.234,56" (es-EC) or "USD 1,234.56" (en)."""
    return format_usd(value)

