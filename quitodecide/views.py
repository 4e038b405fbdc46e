"""Operational endpoints, and the error pages (403 with the rule book's reason, CSRF
failure, 500 without a database)."""

import asyncio
import logging
import uuid

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

CHANNEL_LAYER_TIMEOUT = 2.0


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("health check: database unavailable")
        return False


async def _round_trip(layer) -> bool:
    # The default prefix, as the assembly relays use: channels_redis.core reads all of a
    # process's channels from one Redis list, under one lock that a relay holds while it
    # waits. A channel with a prefix of its own ("healthz.") lives in another list that
    # nobody reads while a relay waits, so the check timed out on every worker that had a
    # follower. With the shared prefix, whoever holds the lock hands our message over.
    channel = await layer.new_channel()
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "healthz.ping", "token": token})
    message = await layer.receive(channel)
    return message.get("token") == token


async def _channel_layer_ok() -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        return await asyncio.wait_for(_round_trip(layer), CHANNEL_LAYER_TIMEOUT)
    except Exception:
        logger.exception("health check: channel layer unavailable")
        return False


@never_cache
@require_GET
async def healthz(request):
    """200 when the database and the channel layer both answer, 503 otherwise.

    Async, so that under an ASGI server the round trip runs on the worker's own event loop,
    next to the relays of live assemblies (channels_redis.core allows one loop per layer)."""
    checks = {
        "database": "ok" if await sync_to_async(_database_ok)() else "error",
        "channel_layer": "ok" if await _channel_layer_ok() else "error",
    }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )


@require_GET
def favicon(request):
    """Browsers ask /favicon.ico whatever the page says: send them to the SVG icon (its
    hashed name in production), cached for a day."""
    from django.shortcuts import redirect
    from django.templatetags.static import static
    from django.utils.cache import patch_cache_control

    response = redirect(static("img/favicon.svg"))
    patch_cache_control(response, public=True, max_age=86400)
    return response


# --- Error pages -------------------------------------------------------------------------


def login_links(request, anchor: str = "") -> dict:
    """Log-in and sign-up URLs that bring the person back to this page (and `anchor`)."""
    query = urlencode({"next": request.get_full_path() + (f"#{anchor}" if anchor else "")})
    return {
        "login_url": f"{reverse('account_login')}?{query}",
        "signup_url": f"{reverse('account_signup')}?{query}",
    }


def _refusal_of(request, exception):
    from accounts.selectors import resident_of

    from .errors import DomainError
    from .rulebook import GENERIC_REFUSAL, Refusal, RefusalKind

    refusal = getattr(exception, "refusal", None)
    if refusal is None and exception is not None and exception.args:
        first = exception.args[0]
        if isinstance(first, Refusal):
            refusal = first
        elif isinstance(exception, DomainError):
            # Only our own errors carry words meant for the person; another library's
            # PermissionDenied text ("Reauthentication not available") is not one.
            refusal = Refusal(str(first))
    if refusal is None or not refusal.reason:
        refusal = Refusal(str(GENERIC_REFUSAL))
    if refusal.kind == RefusalKind.OTHER and not request.user.is_authenticated:
        refusal = Refusal(refusal.reason, RefusalKind.LOGIN, refusal.zone, refusal.url)
    if refusal.kind == RefusalKind.VERIFICATION and refusal.zone is None:
        resident = resident_of(request.user)
        zone = resident.zone if resident else None
        refusal = Refusal(refusal.reason, refusal.kind, zone, refusal.url)
    return refusal


def permission_denied(request, exception=None):
    """handler403: the 403 page says the rule's reason (not logged in, e-mail not
    confirmed, not a resident of this zone, not verified, phase not open, staff only) and
    the way on. The reason comes with the exception (the rule book's Refusal, or the
    translated message of the service that refused)."""
    from accounts.selectors import zone_office

    refusal = _refusal_of(request, exception)
    context = {
        "refusal": refusal,
        "zone_office": zone_office(refusal.zone),
        **login_links(request),
    }
    return render(request, "403.html", context, status=403)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form sent from a page that was open too long, or with cookies
    blocked. In Spanish, in the site layout, with the way on (go back, reload, send again)."""
    from django.middleware.csrf import REASON_NO_CSRF_COOKIE

    context = {
        "no_cookie": reason == REASON_NO_CSRF_COOKIE,
        "back_url": _same_site_referer(request),
    }
    return render(request, "csrf_failure.html", context, status=403)


def _same_site_referer(request) -> str:
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.headers.get("referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""
