"""Test settings: fast hashing, immediate tasks, in-memory e-mail.

DATABASE_URL and REDIS_URL still apply, so CI runs the same suite on PostgreSQL and Redis.
"""

from .base import *  # noqa: F403
from .base import REDIS_URL, env

SECRET_KEY = "test-only-secret-key"  # noqa: S105
CEDULA_HASH_KEY = "test-only-cedula-key"
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE", default=False)  # on in tests/test_pagecache.py
ASSEMBLIES_TALLY_DELAY = 0  # a vote's tally is emitted at once, in the test's thread
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
if not REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WAGTAILADMIN_BASE_URL = "http://testserver"
SITE_BASE_URL = "http://testserver"

# Serve static files straight from the apps: no collectstatic needed to develop or test.
WHITENOISE_USE_FINDERS = True
