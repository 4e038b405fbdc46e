"""The empty seat on the public pages: `{% empty_seat_of_item item as seat %}` (on the agenda
item's page) and `{% empty_seat_of_consultation page as items %}` (on the consultation's
page). Each costs at most two queries, whatever the number of items and organisations."""

from django import template
from django.db.models import Prefetch, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from ..models import EmptySeatApplication

register = template.Library()


def _accredited():
    return Prefetch(
        "empty_seat_applications",
        queryset=EmptySeatApplication.objects.filter(
            status=EmptySeatApplication.Status.ACCREDITED
        ).order_by("decided_at", "pk"),
        to_attr="accredited",
    )


def _annotate(items, now) -> None:
    for item in items:
        session = item.session
        item.empty_seat_taking = item.empty_seat and session.empty_seat_open(now)
        item.empty_seat_apply_url = reverse("council:empty_seat_apply", args=[item.pk])
        item.empty_seat_upcoming = session.starts_at >= now


@register.simple_tag
def empty_seat_of_item(item):
    """The item with `.accredited` (its accredited organisations, one query),
    `.empty_seat_taking` (applications open now) and `.empty_seat_apply_url`."""
    if item is None:
        return None
    if not hasattr(item, "accredited"):
        prefetch_related_objects([item], _accredited())
    _annotate([item], timezone.now())
    return item


@register.simple_tag
def empty_seat_of_consultation(page):
    """The consultation's agenda items (newest session first), each as
    `empty_seat_of_item` gives it: two queries (the items with their sessions, the
    accredited organisations). An empty list when it has none."""
    from ..selectors import items_for_consultation

    if page is None or not getattr(page, "pk", None):
        return []
    items = items_for_consultation(page)
    if items:
        prefetch_related_objects(items, _accredited())
        _annotate(items, timezone.now())
    return items
