"""Rendering user text: plain text in, escaped out, links made clickable and marked
rel="nofollow ugc noopener". No user HTML is ever rendered."""

import re

from django import template
from django.utils.html import linebreaks, urlize
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

_ANCHOR = re.compile(r"<a href=")


@register.filter(is_safe=True)
def user_text(value: str) -> str:
    linked = urlize(value or "", nofollow=False, autoescape=True)
    linked = _ANCHOR.sub('<a rel="nofollow ugc noopener" href=', linked)
    return mark_safe(linebreaks(linked, autoescape=False))  # noqa: S308 - escaped by urlize


@register.filter
def display_name(user) -> str:
    """The public name of a contribution's author; "Participante anónimo" once the author
    deleted their account (the contribution stays, its author is NULL)."""
    if user is None:
        return _("Anonymous participant")
    resident = getattr(user, "resident", None)
    if resident is not None and resident.display_name:
        return resident.display_name
    return _("Neighbour")
