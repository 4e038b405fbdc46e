"""Settings shared by every environment. Safe defaults: DEBUG off, strict security headers."""

from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from .env import BASE_DIR, env

PROJECT_DIR = BASE_DIR / "quitodecide"
VAR_DIR = BASE_DIR / "var"

DEBUG = False
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The project's own apps (the page cache purges on their writes: quitodecide/pagecache.py).
PROJECT_APPS = [
    "home",
    "territory",
    "discussions",
    "consultations",
    "accounts",
    "assemblies",
    "proposals",
    "budgets",
    "works",
    "opendata",
    "indicators",
    "opengov",
    "council",
    "actors",
    "surveys",
    "training",
    "sitesearch",
    "privacy",
    "verification",
]

INSTALLED_APPS = [
    "daphne",
    *PROJECT_APPS,
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "channels",
    "leaflet",  # ships Leaflet's JS/CSS, used by the map pickers
    "ninja",  # ships Swagger UI, served by /api/v1/docs from our own static files
    "django_tasks_db",
    "rules.apps.AutodiscoverRulesConfig",  # imports every app's rules.py: the rule book
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "quitodecide.middleware.CookieLocaleMiddleware",  # the switch decides, not the browser
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "quitodecide.middleware.RefuseNulMiddleware",  # PostgreSQL cannot store NUL: a 400, not a 500
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "quitodecide.middleware.AdminContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "quitodecide.mfa.StaffMfaMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "quitodecide.pagecache.PageCacheMiddleware",  # last: anonymous pages, fresh nonce and token
]

ROOT_URLCONF = "quitodecide.urls"
ASGI_APPLICATION = "quitodecide.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "quitodecide.navigation.portal",  # header sections, footer links, zone map
                "privacy.context_processors.consent_notice",  # logged-in only: policy banner
            ],
            "builtins": ["quitodecide.templatetags.rulebook", "quitodecide.templatetags.pages"],
        },
    },
]

# --- Data stores -----------------------------------------------------------------------
# SQLite is the embedded default so that `make run` works on a bare machine;
# CI and production set DATABASE_URL to PostgreSQL.
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'quitodecide.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", 0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # RedisPubSubChannelLayer, chosen by `make bench-live` (docs/performance.md): with
            # the per-worker relay it delivered everything with p99 1.3x the raw baseline. The
            # variable lets the benchmark measure channels_redis.core.RedisChannelLayer.
            "BACKEND": env(
                "CHANNEL_LAYER_BACKEND", default="channels_redis.pubsub.RedisPubSubChannelLayer"
            ),
            # redis-py's async pool stops at 100 connections and then raises: a crowd
            # joining an assembly at once needs more (measured by `make bench-live`).
            "CONFIG": {"hosts": [{"address": REDIS_URL, "max_connections": 2000}]},
        }
    }
    CACHES = {
        "default": {
            # One connection pool per process, not one per request or follower (cache.py).
            "BACKEND": "quitodecide.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "quitodecide",
            # Passed to redis-py's connection pool: with Redis down a request waits at most
            # this long for it, then the page cache and the header fail open.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Whole pages for anonymous visitors (quitodecide.pagecache): purged by every write that may
# change a page; the TTL bounds what no write announces (a consultation opening at its date).
PAGE_CACHE_ENABLED = env.bool("PAGE_CACHE", default=True)
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=120)
# X-Page-Cache: hit|miss on responses (always with DEBUG): off, it tells who viewed what.
PAGE_CACHE_DEBUG_HEADER = env.bool("PAGE_CACHE_DEBUG_HEADER", default=False)
# Part of every cached page's key, so a deploy never serves the previous release's pages;
# unset: a hash of the static manifest and the compiled catalogues (quitodecide.pagecache).
PAGE_CACHE_BUILD_ID = env("BUILD_ID", default="") or env("GIT_SHA", default="")

# --- Accounts --------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False  # a reset link is no way round the MFA step
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.ResidentSignupForm"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Quito Decide] "
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"add_email": "accounts.forms_security.AddEmailForm"}
# Security changes (e-mail, TOTP, recovery codes) need a fresh reauthentication; a user with
# a second factor must give the code, not the password (accounts.views_security).
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
MFA_REAUTHENTICATION_REQUIRED = True
# A notice to the account's addresses for every password, e-mail and MFA change.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# allauth 65's rate limits, every key spelled out so that nobody switches one off by
# accident. "login_failed" is the lockout: per address at /cuenta/login/ and at the password
# reauthentication, and per user at the MFA code step and the code reauthentication
# (allauth.mfa counts wrong codes under this same action); "reauthenticate" also caps
# every attempt at both reauthentication pages. allauth counts POSTs only.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reauthenticate": "10/m/user",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "request_login_code": "20/m/ip,3/m/key",
    "change_phone": "1/m/user",
    "verify_phone": "1/30s/key,3/m/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Quito Decide"
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False
# Staff change their password and e-mail through allauth (second factor, notices), not in
# Wagtail's account settings.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_EMAIL_MANAGEMENT_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = True

# Keyed hash for cédulas; production refuses to start without a real one.
CEDULA_HASH_KEY = env("CEDULA_HASH_KEY", default="")
PRIVACY_POLICY_VERSION = "2026-11"
# Data rights (privacy app) and verification (verification app); docs/privacy.md says why.
ACCOUNT_DELETION_GRACE_DAYS = 14  # a confirmed deletion can be cancelled for this long
UNCONFIRMED_ACCOUNT_DAYS = 30  # accounts whose e-mail is never confirmed are deleted after
DATA_EXPORT_DAYS = 7  # a prepared export can be downloaded for this long

_email = env.email_url("EMAIL_URL", default="consolemail://")
_smtp_options = {
    "host": _email.get("EMAIL_HOST"),
    "port": _email.get("EMAIL_PORT"),
    "username": _email.get("EMAIL_HOST_USER"),
    "password": _email.get("EMAIL_HOST_PASSWORD"),
    "use_tls": _email.get("EMAIL_USE_TLS"),
    "use_ssl": _email.get("EMAIL_USE_SSL"),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": (
            {key: value for key, value in _smtp_options.items() if value not in (None, "")}
            if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Quito Decide <no-responder@quitodecide.localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "es-ec"
LANGUAGES = [("es-ec", _("Spanish (Ecuador)")), ("en", _("English"))]
# The first entry is where makemessages writes; the second holds formal (usted) Spanish for
# allauth's strings and wins over allauth's own catalogue, as LOCALE_PATHS always do.
LOCALE_PATHS = [BASE_DIR / "locale", PROJECT_DIR / "allauth_es" / "locale"]
TIME_ZONE = "America/Guayaquil"
USE_I18N = True
USE_TZ = True

# --- Static and media ------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Files with personal data (data exports, import files) live outside MEDIA_ROOT, with no
# URL: only the views that check who asks serve them (privacy.exports, works.importer).
PRIVATE_ROOT = env.path("PRIVATE_ROOT", default=str(VAR_DIR / "private"))
PRIVATE_STORAGE = {
    "BACKEND": "django.core.files.storage.FileSystemStorage",
    "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": "/no-url/"},
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Wagtail ---------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Quito Decide"
# The site's public address: every link in an e-mail (ours and allauth's) is built from it
# (quitodecide.site_links), never from the request that happened to send the e-mail.
SITE_BASE_URL = env("SITE_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default=SITE_BASE_URL)
WAGTAIL_I18N_ENABLED = False
WAGTAIL_CONTENT_LANGUAGES = [("es-ec", "Español")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("es-ec", "Español (Ecuador)"), ("en", "English")]
SEARCH_CONFIG = None  # set to the accent-insensitive Spanish configuration on PostgreSQL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Created by home migration 0002: Spanish stemming plus unaccent.
    WAGTAILSEARCH_BACKENDS["default"]["SEARCH_CONFIG"] = "quito_es"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "xlsx", "ods", "txt"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILIMAGES_EXTENSIONS = ["jpg", "jpeg", "png", "webp"]
WAGTAILEMBEDS_RESPONSIVE_HTML = True
# No staff e-mail hashes sent to Gravatar, no calls home from the admin.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# --- Security --------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "quitodecide.views.csrf_failure"  # in Spanish, in the site layout
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    # Map tiles for the location pickers come from OpenStreetMap.
    "img-src": [CSP.SELF, "data:", "https://tile.openstreetmap.org"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-src": [
        "https://www.youtube-nocookie.com",
        "https://www.youtube.com",
        "https://www.facebook.com",
    ],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# The Wagtail admin (staff only, behind MFA) still renders a few inline scripts and many
# inline styles; it gets its own, looser policy. The public site keeps the strict one.
ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "frame-src": [CSP.SELF, "https:"],
    "frame-ancestors": [CSP.SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "django.tasks": {"level": "WARNING"},
    },
}

# Bare domains in comments ("ejemplo.com") link with https (the Django 2028 default).
URLIZE_ASSUME_HTTPS = True
