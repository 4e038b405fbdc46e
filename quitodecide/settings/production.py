"""Production settings: everything from the environment; refuse to start without secrets."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import PRIVATE_STORAGE, env

_REQUIRED = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CEDULA_HASH_KEY",
    "EMAIL_URL",
    "SITE_BASE_URL",  # every link in an e-mail is built from it, never from a request
)
_missing = [name for name in _REQUIRED if not env(name, default="")]
if _missing:
    raise ImproperlyConfigured(
        "Quito Decide cannot start in production without these environment variables: "
        + ", ".join(_missing)
        + ". See .env.example and the README's configuration table."
    )

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
CEDULA_HASH_KEY = env("CEDULA_HASH_KEY")
# The key is all that stands between the stored hashes and the cédula numbers (ten digits,
# easy to enumerate): it must be long and random, like a SECRET_KEY.
CEDULA_HASH_KEY_MIN_BYTES = 32
_cedula_key_bytes = len(CEDULA_HASH_KEY.encode())
if _cedula_key_bytes < CEDULA_HASH_KEY_MIN_BYTES or CEDULA_HASH_KEY.startswith("change-me"):
    raise ImproperlyConfigured(
        f"CEDULA_HASH_KEY must be a random key of at least {CEDULA_HASH_KEY_MIN_BYTES} bytes, "
        f"not the .env.example placeholder (this one has {_cedula_key_bytes} bytes). Generate "
        "one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies append to X-Forwarded-For in front of the workers (the README's
# topology has one). allauth's login limits and quitodecide.ratelimit read the client's
# address through it: 0 behind a proxy would put every visitor on one counter; more than
# there are proxies would let a client forge its address.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# PostgreSQL connections from a pool per process (psycopg_pool through Django), not one per
# request: under ASGI every HTTP request runs in a thread of its own, so CONN_MAX_AGE
# either opens a connection per request (0) or keeps one per finished thread open until
# PostgreSQL refuses more (measured with `make bench-vote-storm`). DATABASE_POOL_SIZE bounds
# the connections of one worker process (the README's topology: workers x size must stay
# under PostgreSQL's max_connections); a request waits at most DATABASE_POOL_TIMEOUT seconds
# for one. DATABASE_POOL=false goes back to a connection per request.
DATABASES = {**DATABASES}  # noqa: F405 (from base)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_POOL", default=True
):
    if DATABASES["default"].get("CONN_MAX_AGE"):
        raise ImproperlyConfigured(
            "DATABASE_URL sets conn_max_age, but connections come from a pool here: remove "
            "it from the URL (or set DATABASE_POOL=false to use persistent connections)."
        )
    DATABASES["default"] = {
        **DATABASES["default"],
        "CONN_MAX_AGE": 0,
        "OPTIONS": {
            **DATABASES["default"].get("OPTIONS", {}),
            "pool": {
                "min_size": 2,
                "max_size": env.int("DATABASE_POOL_SIZE", default=20),
                "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
            },
        },
    }
