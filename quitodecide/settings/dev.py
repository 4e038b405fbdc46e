"""Development settings: what `make run` uses. DEBUG on, local-only hosts, throw-away keys."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
CEDULA_HASH_KEY = env("CEDULA_HASH_KEY", default="dev-only-cedula-hash-key")
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE", default=False)  # template edits show at once

# No separate worker in development: run background tasks (search indexing, e-mail) inline.
# Production runs `manage.py db_worker` against the django-tasks-db queue.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# Serve static files straight from the apps: no collectstatic needed to develop or test.
WHITENOISE_USE_FINDERS = True
