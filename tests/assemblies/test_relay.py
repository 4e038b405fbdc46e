"""The per-worker relay of assembly events: joined only for a visible assembly, ended with
its last follower, and not in the way of /healthz, on every channel layer we run."""

import json
import os
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import AsyncClient

from assemblies import consumers
from quitodecide.asgi import application

from .conftest import make_assembly

pytestmark = pytest.mark.django_db
ORIGIN = (b"origin", b"http://127.0.0.1")
REDIS_URL = os.environ.get("REDIS_URL", "")
needs_redis = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (CI sets it)")

IN_MEMORY = "channels.layers.InMemoryChannelLayer"
CORE = "channels_redis.core.RedisChannelLayer"
PUBSUB = "channels_redis.pubsub.RedisPubSubChannelLayer"
LAYERS = [
    pytest.param(IN_MEMORY, id="in-memory"),
    pytest.param(CORE, id="redis-core", marks=needs_redis),
    pytest.param(PUBSUB, id="redis-pubsub", marks=needs_redis),
]


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch):
    # As in test_consumers.py: Channels would close the test's own database connection.
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)
    consumers._snapshots.clear()


@pytest.fixture
def layer_backend(request, settings):
    """The channel layer under test, with a prefix of its own so that what it leaves in
    Redis can be listed exactly."""
    backend = request.param
    prefix = f"qdtest{uuid.uuid4().hex[:8]}"
    config = {}
    if backend != IN_MEMORY:
        config = {"hosts": [REDIS_URL], "prefix": prefix}
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": backend, "CONFIG": config}}
    channel_layers.backends.clear()
    yield backend, prefix
    channel_layers.backends.clear()


def ws(assembly_id, query=""):
    return WebsocketCommunicator(application, f"/ws/asambleas/{assembly_id}/{query}", [ORIGIN])


async def healthz():
    """GET /healthz on the loop that runs the relays, as a worker of an ASGI server does."""
    response = await AsyncClient().get("/healthz")
    return response.status_code, response.json()


@pytest.mark.parametrize("layer_backend", LAYERS, indirect=True)
def test_healthz_stays_ok_with_followers_on_five_assemblies(zone_page, layer_backend):
    assemblies = [make_assembly(zone_page, slug=f"salud-{n}") for n in range(5)]

    async def scenario():
        sockets = []
        for assembly in assemblies:
            for _ in range(2):
                socket = ws(assembly.pk)
                assert (await socket.connect())[0]
                assert json.loads(await socket.receive_from(timeout=5))["type"] == "snapshot"
                sockets.append(socket)
        try:
            for _ in range(3):
                status, body = await healthz()
                assert (status, body["checks"]) == (200, {"database": "ok", "channel_layer": "ok"})
        finally:
            for socket in sockets:
                await socket.disconnect()

    async_to_sync(scenario)()
