"""/healthz reports the database and the channel layer."""

import asyncio
import os

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncClient

pytestmark = pytest.mark.django_db


def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "channel_layer": "ok"},
    }


def test_broken_channel_layer_gives_503(client, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # Nothing listens on port 1: the layer cannot answer.
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    try:
        response = client.get("/healthz")
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "channel_layer": "error"}


def test_only_get(client):
    assert client.post("/healthz").status_code == 405


REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (CI sets it)")
@pytest.mark.parametrize(
    "backend",
    ["channels_redis.core.RedisChannelLayer", "channels_redis.pubsub.RedisPubSubChannelLayer"],
)
def test_healthy_while_the_worker_waits_on_its_own_channels(settings, backend):
    """A worker that follows a live assembly always has a receive pending on the layer (its
    relay's). channels_redis.core serves all of a process's receives through one lock and
    one Redis list: the check must use that list, or it waits behind the relay for ever."""
    from channels.layers import channel_layers, get_channel_layer

    settings.CHANNEL_LAYERS = {"default": {"BACKEND": backend, "CONFIG": {"hosts": [REDIS_URL]}}}
    channel_layers.backends.clear()

    async def scenario():
        layer = get_channel_layer()
        waiting = asyncio.ensure_future(layer.receive(await layer.new_channel()))
        for _ in range(5):  # let it take the receive lock and block on Redis
            await asyncio.sleep(0)
        try:
            response = await AsyncClient().get("/healthz")
        finally:
            waiting.cancel()
            await asyncio.gather(waiting, return_exceptions=True)
        return response

    try:
        response = async_to_sync(scenario)()
    finally:
        channel_layers.backends.clear()
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "channel_layer": "ok"}
