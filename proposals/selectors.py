"""Reads for requests: the public list (filters, search) and the detail page."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from accounts.selectors import resident_of

from .models import Request, RequestImage, StatusChange, Support


def request_list(cycle, *, q: str = "", parish=None, kind: str = "", status: str = ""):
    """The cycle's requests with their support count: one query whatever their number."""
    requests = (
        Request.objects.filter(cycle=cycle)
        .select_related("parish", "verdict")
        .annotate(support_count=Count("supports", distinct=True))
        .order_by("-created_at", "-pk")
    )
    if q:
        requests = requests.filter(
            Q(title__icontains=q) | Q(description__icontains=q) | Q(barrio_name__icontains=q)
        )
    if parish is not None:
        requests = requests.filter(parish=parish)
    if kind:
        requests = requests.filter(kind=kind)
    if status:
        requests = requests.filter(status=status)
    return requests


def request_detail(cycle, pk: int, user=None) -> Request:
    """One request with everything its page shows, in a fixed number of queries."""
    resident = resident_of(user) if user is not None else None
    requests = (
        Request.objects.filter(cycle=cycle)
        .select_related("parish", "barrio", "verdict", "author__resident")
        .annotate(support_count=Count("supports", distinct=True))
        .prefetch_related(
            Prefetch("images", queryset=RequestImage.objects.order_by("pk")),
            Prefetch("history", queryset=StatusChange.objects.order_by("at", "pk")),
        )
    )
    if resident is not None:
        requests = requests.annotate(
            supported_by_me=Exists(
                Support.objects.filter(request=OuterRef("pk"), resident=resident)
            )
        )
    return requests.get(pk=pk)
