"""Reads of the council's public records, with flat query counts."""

from django.urls import reverse

from .models import AgendaItem


def item_url(item) -> str:
    return reverse("council:item", args=(item.session_id, item.position))


def items_for_consultation(consultation) -> list:
    """The agenda items linked to a consultation, newest session first (one query)."""
    items = list(
        AgendaItem.objects.filter(consultation=consultation)
        .select_related("session", "session__commission")
        .order_by("-session__starts_at", "position")
    )
    for item in items:
        item.url = item_url(item)
    return items
