"""The machinery every endpoint of the open-data API shares: pagination, the filter values
(a bad one is a 400 naming its field), the caching validators (ETag, Last-Modified, 304),
read-only CORS, the per-address rate limit, and JSON for every error.

`wrap_urls` wraps each URL of the NinjaAPI (operations, the OpenAPI document and the docs
page alike) in `api_view`, so the rules hold for every response under /api/v1/, including
the ones ninja itself answers (a method it does not route, a 404). In order, a request:

1. is counted against its address (`RATE`, per address as quitodecide.ratelimit sees it:
   allauth's proxy settings apply, IPv6 grouped by /64); over the limit it gets 429 with
   Retry-After (the seconds left in the window) and a JSON message;
2. OPTIONS gets a CORS preflight answer; any method but GET/HEAD gets 405 JSON with Allow;
3. HEAD is answered as GET without the body;
4. a 200 gets a weak ETag (a hash of the body) and a Last-Modified, and the conditional
   headers are checked (If-None-Match first, If-Modified-Since when there is none): 304;
5. every response gets `Access-Control-Allow-Origin: *`.

Last-Modified is "the first time this body was served at this URL", kept in the cache next
to its ETag. It is never later than the real change and never misses one: a date read
from the rows would not move when a comment is hidden, a row deleted or a counter
recomputed, and a client sending only If-Modified-Since would keep stale data.
"""

import hashlib
import logging
import math
import time
from collections.abc import Sequence
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import get_usage
from ninja import Field, Schema

from quitodecide.ratelimit import client_ip

logger = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
# Per address; a harvester reading a whole resource at 100 rows a page gets 12,000 rows a
# minute. Overridable with settings.OPENDATA_API_RATE (e.g. "1000/m" behind a trusted proxy).
RATE = "120/m"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CACHE_SECONDS = 60
VALIDATOR_TTL = 7 * 24 * 3600
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Retry-After",
}
PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": ", ".join(SAFE_METHODS),
    "Access-Control-Allow-Headers": "Accept, Accept-Language, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}


# --- errors -------------------------------------------------------------------------------
class BadFilter(Exception):
    """A query parameter with a value the API cannot use: 400, naming the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class FieldError(Schema):
    field: str
    message: str


class Error(Schema):
    """Every error the API answers: a message, and for a bad parameter which one and why."""

    detail: str
    errors: list[FieldError] = []


def error_response(
    status: int, detail: str, errors: Sequence[dict] = (), **headers
) -> HttpResponse:
    body = {"detail": detail}
    if errors:
        body["errors"] = list(errors)
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _message(error: dict) -> str:
    """A translated message for the errors a query parameter can have; pydantic's own
    (English) text for anything else."""
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("Must be a whole number.")
    if kind == "greater_than_equal":
        return _("Must be %(limit)s or more.") % {"limit": context.get("ge")}
    if kind == "less_than_equal":
        return _("Must be %(limit)s or less.") % {"limit": context.get("le")}
    if kind == "literal_error":
        return _("Use one of: %(values)s.") % {"values": context.get("expected", "")}
    if kind == "missing":
        return _("This parameter is required.")
    return str(error.get("msg", ""))


def validation_errors(errors: list[dict]) -> list[dict]:
    """ninja's pydantic errors as [{field, message}] (the field is the parameter's name)."""
    out = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path")]
        out.append({"field": ".".join(location) or "?", "message": _message(error)})
    return out


def install_error_handlers(api) -> None:
    from django.db import DataError
    from django.http import Http404
    from ninja.errors import HttpError, ValidationError

    def bad_filter(request, exc: BadFilter):
        return error_response(
            400, _("Invalid request."), [{"field": exc.field, "message": exc.message}]
        )

    def invalid(request, exc: ValidationError):
        return error_response(400, _("Invalid request."), validation_errors(exc.errors))

    def not_found(request, exc):
        return error_response(404, str(exc) if isinstance(exc, HttpError) else _("Not found."))

    def http_error(request, exc: HttpError):
        return error_response(exc.status_code, str(exc))

    def out_of_range(request, exc: Exception):
        # An id past the database's integer range (99999999999999999999) names nothing:
        # SQLite raises OverflowError, PostgreSQL a DataError (numeric value out of range).
        if isinstance(exc, DataError) and "out of range" not in str(exc):
            return server_error(request, exc)
        return error_response(404, _("Not found."))

    def server_error(request, exc: Exception):
        logger.exception("Open-data API error on %s", request.path, exc_info=exc)
        return error_response(500, _("Internal error. It has been logged; please try later."))

    api.add_exception_handler(BadFilter, bad_filter)
    api.add_exception_handler(ValidationError, invalid)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(OverflowError, out_of_range)
    api.add_exception_handler(DataError, out_of_range)
    api.add_exception_handler(Exception, server_error)


def not_found(message: str | None = None):
    from ninja.errors import HttpError

    return HttpError(404, message or _("Not found."))


# --- pagination ---------------------------------------------------------------------------
class PageParams(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1.")
    page_size: int = Field(
        DEFAULT_PAGE_SIZE,
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Items per page (at most {MAX_PAGE_SIZE}).",
    )


class Page[T](Schema):
    count: int = Field(description="Items in the whole filtered set.")
    page: int
    page_size: int
    next: str | None = Field(description="URL of the next page, if any.")
    previous: str | None = Field(description="URL of the previous page, if any.")
    results: list[T]


def _page_url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query["page"] = str(number)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paginate(request: HttpRequest, items, params: PageParams, serialise) -> dict:
    """One page of `items` (a QuerySet, counted and sliced in the database, or a list),
    each passed through `serialise`. A page past the last is a 404 (page 1 always exists)."""
    count = len(items) if isinstance(items, list) else items.count()
    pages = max(1, math.ceil(count / params.page_size))
    if params.page > pages:
        raise not_found(
            _("Page %(page)s does not exist; there are %(pages)s.")
            % {"page": params.page, "pages": pages}
        )
    start = (params.page - 1) * params.page_size
    chunk = items[start : start + params.page_size]
    return {
        "count": count,
        "page": params.page,
        "page_size": params.page_size,
        "next": _page_url(request, params.page + 1) if params.page < pages else None,
        "previous": _page_url(request, params.page - 1) if params.page > 1 else None,
        "results": [serialise(item) for item in chunk],
    }


# --- filters ------------------------------------------------------------------------------
def zone_by_slug(slug: str | None, *, field: str = "zone"):
    from territory.models import Zone

    if not slug:
        return None
    zone = Zone.objects.filter(slug=slug).first()
    if zone is None:
        raise BadFilter(field, _("There is no zone “%(slug)s”.") % {"slug": slug})
    return zone


def parish_by_code(code: str | None, *, field: str = "parish"):
    from territory.models import Parish

    if not code:
        return None
    parish = Parish.objects.filter(dpa_code=code).select_related("zone").first()
    if parish is None:
        raise BadFilter(field, _("There is no parish with DPA code “%(code)s”.") % {"code": code})
    return parish


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None


# --- the wrapper ----------------------------------------------------------------------------
def _rate() -> str:
    return getattr(settings, "OPENDATA_API_RATE", RATE)


def _rate_limited(request) -> int | None:
    """Seconds to wait when the address is over the limit, else None (counts the request)."""
    address = client_ip(request)
    usage = get_usage(
        request,
        group="opendata.api",
        key=lambda _group, _request: f"ip:{address}",
        rate=_rate(),
        increment=True,
    )
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, int(usage["time_left"]))


def _etag(content: bytes) -> str:
    return 'W/"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _first_served(request, etag: str) -> float:
    """When this URL first served this body (see the module docstring); whole seconds."""
    language = getattr(request, "LANGUAGE_CODE", "")
    key = (
        "opendata.api.lm:"
        + hashlib.sha256(f"{language}|{request.get_full_path()}".encode()).hexdigest()
    )
    stored = cache.get(key)
    if stored and stored[0] == etag:
        return stored[1]
    since = float(int(time.time()))
    if stored:
        # HTTP dates have whole seconds: a body that changes in the second it was first
        # served still gets a later date, or If-Modified-Since would call it unchanged.
        since = max(since, stored[1] + 1)
    cache.set(key, (etag, since), VALIDATOR_TTL)
    return since


def _with_cors(response: HttpResponse) -> HttpResponse:
    for name, value in CORS_HEADERS.items():
        response[name] = value
    return response


def api_view(view):
    """Wrap one URL's view of the API with the rules of the module docstring."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        wait = _rate_limited(request)
        if wait is not None:
            return _with_cors(
                error_response(
                    429,
                    _("Too many requests from your address. Try again in %(seconds)s s.")
                    % {"seconds": wait},
                    Retry_After=str(wait),
                )
            )
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            for name, value in PREFLIGHT_HEADERS.items():
                response[name] = value
            response["Allow"] = ", ".join(SAFE_METHODS)
            return _with_cors(response)
        if request.method not in ("GET", "HEAD"):
            return _with_cors(
                error_response(
                    405,
                    _("This API is read-only: use GET."),
                    Allow=", ".join(SAFE_METHODS),
                )
            )
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        try:
            response = view(request, *args, **kwargs)
        finally:
            if head:
                request.method = "HEAD"
        if response.status_code == 405:  # a path ninja routes for another method only
            response = error_response(
                405, _("This API is read-only: use GET."), Allow=", ".join(SAFE_METHODS)
            )
        if response.status_code == 200 and not response.streaming:
            etag = _etag(response.content)
            last_modified = _first_served(request, etag)
            response["ETag"] = etag
            response["Last-Modified"] = http_date(last_modified)
            patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
            response = get_conditional_response(
                request, etag=etag, last_modified=int(last_modified), response=response
            )
        if head and not response.streaming:
            response.content = b""
        return _with_cors(response)

    return csrf_exempt(wrapped)


def api_index(request, **kwargs):
    """/api/v1/ itself: where the description and the docs are (JSON, like the rest)."""
    return JsonResponse(
        {
            "detail": _("Open-data API of Quito Decide, read-only."),
            "openapi": request.build_absolute_uri("openapi.json"),
            "docs": request.build_absolute_uri("docs"),
        }
    )


@csrf_exempt
def unknown_path(request, rest: str = ""):
    return error_response(404, _("There is no such resource in this API."))


def wrap_urls(patterns: list) -> list:
    """The API's URL patterns with every view wrapped, and a JSON 404 for any other path
    under the API's prefix (instead of the site's HTML 404 page)."""
    from django.urls import URLPattern, re_path

    wrapped = []
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            view = api_index if pattern.name == "api-root" else pattern.callback
            pattern.callback = api_view(view)
        wrapped.append(pattern)
    wrapped.append(re_path(r"^(?P<rest>.*)$", api_view(unknown_path), name="unknown"))
    return wrapped
