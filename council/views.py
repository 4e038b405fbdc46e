"""Public pages of the council: FOUNDATION STUB (the calendar is built by the council work)."""

from django.http import Http404


def calendar(request):
    raise Http404
