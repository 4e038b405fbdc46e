"""Operational endpoints."""

import asyncio
import logging
import uuid

from asgiref.sync import async_to_sync
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
    channel = await layer.new_channel("healthz.")
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "healthz.ping", "token": token})
    message = await layer.receive(channel)
    return message.get("token") == token


def _channel_layer_ok() -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False

    async def check():
        return await asyncio.wait_for(_round_trip(layer), CHANNEL_LAYER_TIMEOUT)

    try:
        return async_to_sync(check)()
    except Exception:
        logger.exception("health check: channel layer unavailable")
        return False


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the channel layer both answer, 503 otherwise."""
    checks = {
        "database": "ok" if _database_ok() else "error",
        "channel_layer": "ok" if _channel_layer_ok() else "error",
    }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks},
        status=200 if healthy else 503,
    )
