"""`{% taken_up_counts page as counts %}`: how many contributions a consultation received
and how many were taken up, for its page (one query)."""

from django import template

register = template.Library()


@register.simple_tag
def taken_up_counts(page) -> dict:
    from consultations.dispositions import taken_up_count

    if page is None or not getattr(page, "pk", None):
        return {}
    return taken_up_count(page)
