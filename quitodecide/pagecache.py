"""Whole-page cache for anonymous visitors (docs/performance.md, "Cached pages").

`PageCacheMiddleware`, the last entry of MIDDLEWARE, keeps the rendered HTML of public pages
in the cache framework (Redis in production) and answers the next anonymous GET or HEAD of
the same page from it with no database query. Every other middleware still runs around it,
so a hit gets its security headers, its language headers and its cookies as a miss does.

Per-visitor values never leave the request they were made for. Before a page is stored, its
CSP nonce and its masked CSRF tokens are replaced by placeholders; a hit puts a fresh nonce
there (the CSP middleware then sends the matching header) and a fresh masked token of the
visitor's own CSRF secret (`get_token`, which also makes CsrfViewMiddleware set the
csrftoken cookie for a first-time visitor).

Only the anonymous view is ever stored or served:
- a request carrying any cookie other than csrftoken and the language switch's bypasses the
  cache both ways: a session cookie may belong to someone logged in (reading the session
  would cost a query on every hit) and a messages cookie holds pending messages;
- a response is stored only when it is a 200 HTML page rendered for an anonymous user, with
  no message queued or shown, the session untouched, no cookie set by the view, no
  `Cache-Control: private/no-store/no-cache` and no Vary beyond the cookie;
- never /admin/ (and previews, drafts), /cuenta/ (allauth), the API, documents, /i18n/, the
  health check; never a Wagtail page with a view restriction, nor a live assembly page
  (its state moves by WebSocket between writes).

The key holds the release's build id (build_id()), the scheme, the host, the language, the
path and the query string's parameters, sorted; a query string with a parameter no public
view reads (KNOWN_PARAMETERS), a long value or too many parameters bypasses the cache.
Every entry is tagged with the site's generation number read when its request began; any
write that may change a page bumps the generation (`purge()`), so older entries are never
served again. Writes are caught by post_save, post_delete and m2m_changed of the project's
apps (and of the Wagtail models a page shows), by Wagtail's publish/unpublish/move signals,
and by explicit `purge()` calls next to the bulk writes that send no signal. Each bump is
made at once and again after the transaction commits, so a page rendered from the
pre-commit state is never served after the commit. PAGE_CACHE_SECONDS bounds what no write
announces (a consultation opening at its date, "hace 5 minutos").
"""

import datetime
import functools
import hashlib
import logging
import math
import re
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode

GENERATION_KEY = "pagecache:generation"
ENTRY_KEY = "pagecache:page:{digest}"
# Placeholders hold "<", which the escaped text of any page never does outside markup.
NONCE_MARK = b"<qd-pagecache-nonce>"
CSRF_MARK = b"<qd-pagecache-csrf>"
HIT_HEADER = "X-Page-Cache"

# Paths that are never cached: personal, staff-only, not HTML, or with their own rules.
EXCLUDED_PREFIXES = (
    "/admin/",  # Wagtail admin, previews and drafts
    "/cuenta/",  # accounts, allauth, personal data, verification
    "/_util/",  # Wagtail's password and login forms for restricted pages
    "/i18n/",
    "/api/",
    "/documentos/",  # Wagtail documents check collection privacy per request
    "/healthz",
    "/static/",
    "/media/",
    # URLs holding a secret, showing whose it is: a training registration's cancel link
    # (its registrant's name) and a certificate's verification code. A survey invitation
    # rides in ?invitacion=, which is no KNOWN_PARAMETERS entry: never stored either.
    "/buscar/",  # search terms: personal-ish and unbounded
    "/formacion/inscripcion/",
    "/formacion/certificados/",
)
# A view may cap how long its page is kept: `response.page_cache_seconds = n` (0: never
# store it). A Wagtail page with `opens_at`/`closes_at` is kept at most until the next of
# them, so a consultation opening or closing shows at once.
RESPONSE_SECONDS = "page_cache_seconds"
MAX_QUERY_STRING = 512  # longer query strings are served, never stored
# A page is stored only for a query string made of the GET parameters the site's public
# views read (tests/test_pagecache.py checks this list against the source), each at most
# once, with a short value, and at most MAX_PARAMETERS of them; the key sorts them. Any
# other query string (?utm_source=…, bogus names, long values) is served uncached, so
# nobody can fill the cache, which Redis shares with the Channels layer, at will.
KNOWN_PARAMETERS = frozenset(
    {
        "anio",
        "articulo",
        "bbox",
        "codigo",
        "comision",
        "desde",
        "estado",
        "hasta",
        "mes",
        "mesa",
        "next",
        "orden",
        "origen",
        "pagina",
        "parroquia",
        "plan",
        "por_pagina",
        "q",
        "seleccionar",
        "since",
        "tipo",
        "version",
        "zona",
        "zoom",
    }
)
MAX_PARAMETERS = 6
MAX_VALUE_LENGTH = 100

# Models of the project's apps whose rows never show on a public page: their writes do not
# bump the generation. (Everything else of the project's apps does.)
EXCLUDED_MODELS = frozenset(
    {
        # Personal data requests: shown only to their owner, under /cuenta/.
        "privacy.dataexport",
        "privacy.accountdeletion",
        "privacy.deletionrecord",
        # Consent to the privacy policy: the banner is for logged-in people only.
        "accounts.consent",
        # Residence verification: census files, code sheets, codes and requests are staff
        # and account screens; a resident's verified status is read from Resident.
        "verification.censusbatch",
        "verification.censusentry",
        "verification.codesheet",
        "verification.verificationcode",
        "verification.verificationrequest",
        "verification.verificationrecord",
    }
)
# Wagtail and taggit models that pages show. Revisions (drafts), renditions and embeds
# (created while rendering: bumping on them would empty the cache on every miss), the
# reference index, workflow and task states, subscriptions and admin comments do not.
# Wagtail's log entries are kept: every staff action leaves one in the transaction of its
# writes, so even a bulk write through the admin bumps once it has committed.
EXTRA_MODELS = frozenset(
    {
        "wagtailcore.page",
        "wagtailcore.site",
        "wagtailcore.pageviewrestriction",
        "wagtailcore.collectionviewrestriction",
        "wagtailcore.pagelogentry",
        "wagtailcore.modellogentry",
        "wagtailimages.image",
        "wagtaildocs.document",
        "taggit.tag",
        "taggit.taggeditem",
    }
)

logger = logging.getLogger(__name__)
_WARN_EVERY = 60.0  # seconds between two warnings about an unreachable cache
_last_warning = [0.0]

_TOKEN_RE = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
_relevant_cache: dict = {}


def build_id() -> str:
    """What tells this release's pages from the previous one's, part of every key, so a
    deploy never serves pages that name the old hashed static files or old translations:
    PAGE_CACHE_BUILD_ID (env BUILD_ID or GIT_SHA) when set, else a hash of the static
    files' manifest and the compiled catalogues, computed once per process."""
    return getattr(settings, "PAGE_CACHE_BUILD_ID", "") or _derived_build_id()


@functools.cache
def _derived_build_id() -> str:
    digest = hashlib.sha256()
    files = []
    if getattr(settings, "STATIC_ROOT", None):
        files.append(Path(settings.STATIC_ROOT) / "staticfiles.json")
    for folder in getattr(settings, "LOCALE_PATHS", ()):
        files.extend(sorted(Path(folder).glob("*/LC_MESSAGES/*.mo")))
    for path in files:
        try:
            digest.update(str(path).encode() + b"\0" + path.read_bytes())
        except OSError:  # no manifest (development, tests): nothing to tell apart
            continue
    return digest.hexdigest()[:16] if files else ""


def debug_header() -> bool:
    """Whether responses say `X-Page-Cache: hit|miss`: only with DEBUG or
    PAGE_CACHE_DEBUG_HEADER (the bench), since a hit tells a stranger that someone else
    has just viewed that page."""
    return settings.DEBUG or getattr(settings, "PAGE_CACHE_DEBUG_HEADER", False)


def enabled() -> bool:
    return getattr(settings, "PAGE_CACHE_ENABLED", False)


def timeout() -> int:
    return getattr(settings, "PAGE_CACHE_SECONDS", 120)


# --- Fail-open cache access -----------------------------------------------------------------


class CacheDown(Exception):
    """The cache could not be reached: the page is rendered and served as if uncached."""


def _call(method: str, *args, **kwargs):
    """`cache.<method>(...)`, with any failure of the cache (Redis down, a timeout) logged at
    most once a minute and raised as CacheDown, which every caller here turns into "no
    cache": a page is rendered normally, nothing is stored, a write is never failed."""
    try:
        return getattr(cache, method)(*args, **kwargs)
    except ValueError:
        raise  # incr of a missing key: the backend's documented answer, not an outage
    except Exception as error:
        now = time.monotonic()
        if now - _last_warning[0] >= _WARN_EVERY:
            _last_warning[0] = now
            logger.warning(
                "Page cache unavailable (%s: %s); serving uncached", type(error).__name__, error
            )
        raise CacheDown from error


# --- Generation and purge ------------------------------------------------------------------


def generation() -> int:
    """The current generation; raises CacheDown when the cache cannot be reached."""
    current = _call("get", GENERATION_KEY)
    if current is None:
        # From the clock: an entry of an older generation left in a shared cache (the key
        # evicted, a restart) is never mistaken for a current one.
        _call("add", GENERATION_KEY, time.time_ns(), timeout=None)
        current = _call("get", GENERATION_KEY)
    return current


def _bump() -> None:
    """Never raises: a write must not fail because the cache is down (its pages then live
    until PAGE_CACHE_SECONDS at most, and a cache that is down serves none)."""
    try:
        try:
            _call("incr", GENERATION_KEY)
        except ValueError:  # no generation yet (or evicted): start a new one
            _call("add", GENERATION_KEY, time.time_ns(), timeout=None)
    except CacheDown:
        pass


def purge() -> None:
    """Make every cached page stale: now, and again once the current transaction commits
    (a page rendered meanwhile from the pre-commit state carries the older generation).
    Call it after any write without model signals (queryset.update(), bulk_create(),
    bulk_update(), raw SQL) that changes what a page shows."""
    _bump()
    if transaction.get_connection().in_atomic_block:
        connection = transaction.get_connection()
        # One after-commit bump per transaction, however many rows it writes.
        if not any(func is _bump for _ids, func, _robust in connection.run_on_commit):
            transaction.on_commit(_bump, robust=True)


def relevant(model) -> bool:
    """Whether a write to `model` may change a public page."""
    label = model._meta.label_lower
    result = _relevant_cache.get(label)
    if result is None:
        app_label = model._meta.app_label
        result = label in EXTRA_MODELS or (
            app_label in settings.PROJECT_APPS and label not in EXCLUDED_MODELS
        )
        _relevant_cache[label] = result
    return result


def _on_save(sender, instance=None, update_fields=None, **kwargs):
    if not relevant(sender):
        return
    # A login only stamps last_login: no page shows it.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    purge()


def _on_delete(sender, **kwargs):
    if relevant(sender):
        purge()


def _on_m2m(sender, instance=None, action="", model=None, **kwargs):
    if action.startswith("post_") and (
        relevant(sender) or relevant(type(instance)) or (model is not None and relevant(model))
    ):
        purge()


def _on_page_signal(sender=None, **kwargs):
    purge()


def _before_serve_page(page, request, serve_args, serve_kwargs):
    """A restricted page (password, groups, login) and a live assembly page are never
    cached, whoever asks."""
    if getattr(request, "_pagecache_key", None) is None:
        return None
    if page._meta.label_lower == "assemblies.assemblypage" or page.get_view_restrictions():
        request._pagecache_skip = True
        return None
    seconds = _seconds_to_next_change(page)
    if seconds is not None:
        request._pagecache_seconds = seconds
    return None


def _seconds_to_next_change(page):
    """Seconds until the page's next opening or closing date, None when none is ahead."""
    now = timezone.now()
    ahead = [
        moment
        for moment in (getattr(page, "opens_at", None), getattr(page, "closes_at", None))
        if isinstance(moment, datetime.datetime) and moment > now
    ]
    if not ahead:
        return None
    return math.ceil((min(ahead) - now).total_seconds())


def connect_signals() -> None:
    from wagtail import hooks
    from wagtail.signals import page_published, page_unpublished, post_page_move

    post_save.connect(_on_save, dispatch_uid="pagecache-save", weak=False)
    post_delete.connect(_on_delete, dispatch_uid="pagecache-delete", weak=False)
    m2m_changed.connect(_on_m2m, dispatch_uid="pagecache-m2m", weak=False)
    for name, signal in (
        ("published", page_published),
        ("unpublished", page_unpublished),
        ("moved", post_page_move),
    ):
        signal.connect(_on_page_signal, dispatch_uid=f"pagecache-{name}", weak=False)
    if _before_serve_page not in hooks.get_hooks("before_serve_page"):
        hooks.register("before_serve_page", _before_serve_page)


# --- Middleware ----------------------------------------------------------------------------


def _request_key(request):
    """The cache key of this request, or None when it must bypass the cache."""
    if request.method not in ("GET", "HEAD") or not enabled():
        return None
    path = request.path
    if path.startswith(EXCLUDED_PREFIXES):
        return None
    allowed_cookies = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
    if any(name not in allowed_cookies for name in request.COOKIES):
        return None
    if "HTTP_AUTHORIZATION" in request.META:
        return None
    if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
        return None
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: Django answers it elsewhere
        return None
    query = _normalised_query(request)
    if query is None:
        return None
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    raw = "\n".join((build_id(), request.scheme, host, language, request.path, query))
    return ENTRY_KEY.format(digest=hashlib.sha256(raw.encode()).hexdigest())


def _normalised_query(request):
    """The query string as sorted (name, value) pairs, or None when it must not be stored:
    an unknown name, a repeated one, a long value, too many parameters."""
    pairs = []
    for name, values in request.GET.lists():
        if name not in KNOWN_PARAMETERS or len(values) != 1:
            return None
        if len(values[0]) > MAX_VALUE_LENGTH:
            return None
        pairs.append((name, values[0]))
    if len(pairs) > MAX_PARAMETERS:
        return None
    return urlencode(sorted(pairs))


def _nonce_of(request):
    nonce = getattr(request, "_csp_nonce", None)
    return str(nonce) if nonce else None  # LazyNonce is falsy until used


def _serve(request, entry):
    body = entry["body"]
    if NONCE_MARK in body:
        nonce = getattr(request, "_csp_nonce", None)
        if nonce is None:
            return None
        body = body.replace(NONCE_MARK, str(nonce).encode())  # also the CSP header's nonce
    uses_csrf = CSRF_MARK in body
    if uses_csrf:
        body = body.replace(CSRF_MARK, get_token(request).encode())  # sets the cookie
    response = HttpResponse(body, status=entry["status"])
    for name, value in entry["headers"]:
        if name.lower() != "content-length":
            response.headers[name] = value
    for attribute in ("_csp_config", "_csp_ro_config"):
        if attribute in entry:
            setattr(response, attribute, entry[attribute])
    if uses_csrf:
        patch_vary_headers(response, ("Cookie",))
    if debug_header():
        response.headers[HIT_HEADER] = "hit"
    return response


_NO_STORE = ("private", "no-store", "no-cache", "max-age=0")
_VARY_OK = {"cookie", "accept-encoding", "accept-language", ""}


def _storable(request, response) -> bool:
    if request.method != "GET" or getattr(request, "_pagecache_skip", False):
        return False
    if response.status_code != 200 or response.streaming:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    if response.cookies:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in _NO_STORE):
        return False
    vary = {part.strip().lower() for part in response.get("Vary", "").split(",")}
    if not vary <= _VARY_OK:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    session = getattr(request, "session", None)
    if session is not None and (session.modified or session.session_key):
        return False
    messages = getattr(request, "_messages", None)
    queued = getattr(messages, "_queued_messages", None)
    shown = getattr(messages, "_loaded_data", None)
    return not (queued or shown)


def _entry_for(request, response, gen):
    body = response.content
    if NONCE_MARK in body or CSRF_MARK in body:
        return None
    headers = [(name, value) for name, value in response.headers.items()]
    nonce = _nonce_of(request)
    if nonce:
        body = body.replace(nonce.encode(), NONCE_MARK)
        if any(nonce in value for _name, value in headers):
            return None  # a view's own CSP header: leave that page alone
    secret = request.META.get("CSRF_COOKIE")
    if secret:
        if secret.encode() in body:
            return None  # the raw secret must never be stored

        def mask(match):
            token = match.group(0).decode()
            return CSRF_MARK if _unmask_cipher_token(token) == secret else match.group(0)

        body = _TOKEN_RE.sub(mask, body)
    entry = {"gen": gen, "status": response.status_code, "body": body, "headers": headers}
    for attribute in ("_csp_config", "_csp_ro_config"):
        if hasattr(response, attribute):
            entry[attribute] = getattr(response, attribute)
    return entry


def _seconds_for(request, response) -> int:
    """How long this page may be kept: PAGE_CACHE_SECONDS, capped by the view's
    `response.page_cache_seconds` and by the page's next opening or closing date."""
    seconds = timeout()
    for cap in (
        getattr(response, RESPONSE_SECONDS, None),
        getattr(request, "_pagecache_seconds", None),
    ):
        if cap is not None:
            seconds = min(seconds, int(cap))
    return seconds


class PageCacheMiddleware:
    """Serve and store whole pages for anonymous visitors (see the module's docstring).
    Last in MIDDLEWARE: the CSRF, CSP, locale, session and auth middleware run around it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = _request_key(request)
        request._pagecache_key = key
        if key is None:
            return self.get_response(request)
        try:
            found = _call("get_many", [GENERATION_KEY, key])
            gen = found.get(GENERATION_KEY)
            if gen is None:
                gen = generation()
        except CacheDown:
            return self.get_response(request)
        entry = found.get(key)
        if entry is not None and entry.get("gen") == gen:
            response = _serve(request, entry)
            if response is not None:
                return response
        response = self.get_response(request)
        if _storable(request, response):
            seconds = _seconds_for(request, response)
            entry = _entry_for(request, response, gen) if seconds > 0 else None
            if entry is not None:
                try:
                    _call("set", key, entry, seconds)
                except CacheDown:
                    return response
                if debug_header():
                    response.headers[HIT_HEADER] = "miss"
        return response
