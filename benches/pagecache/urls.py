"""Bench-only URLconf: the site's URLs plus a trivial view, the bare-Django baseline.

The bare view sits under /api/, a prefix the page cache never looks up, so the baseline
is the full middleware stack and routing with nothing else: no cache round trip."""

from django.http import HttpResponse
from django.urls import path

from quitodecide.urls import urlpatterns as site_urlpatterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("api/_bench/bare/", bare), *site_urlpatterns]
