"""Operational endpoints."""

import asyncio
import logging
import uuid

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse
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
