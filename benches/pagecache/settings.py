"""Bench-only settings for `make bench-pages`: the production settings, plus a URLconf
holding the bare view. Deviations from production, each needed to serve plain HTTP on
127.0.0.1 without a collectstatic: no HTTPS redirect (the proxy terminates TLS in
production) and the non-manifest static storage (a dict lookup less per {% static %}); and
the X-Page-Cache header, sent in production only with PAGE_CACHE_DEBUG_HEADER."""

from quitodecide.settings.production import *  # noqa: F403
from quitodecide.settings.production import STORAGES

ROOT_URLCONF = "benches.pagecache.urls"
SECURE_SSL_REDIRECT = False
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {"version": 1, "disable_existing_loggers": True, "root": {"level": "ERROR"}}
# benches/pages.py checks that each measured page is a hit by its X-Page-Cache header.
PAGE_CACHE_DEBUG_HEADER = True
