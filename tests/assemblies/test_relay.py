"""The per-worker relay of assembly events: joined only for a visible assembly, ended with
its last follower, and not in the way of /healthz, on every channel layer we run."""

import asyncio
import json
import os
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels import DEFAULT_CHANNEL_LAYER
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, channel_layers, get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import AsyncClient

from assemblies import consumers, relay, services
from quitodecide.asgi import application

from .conftest import make_assembly, staff_of

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
    # As in test_consumers.py: Channels would close the test's own database connection;
    # broadcasts go out on "commit" (the test transaction never commits).
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)
    monkeypatch.setattr("django.db.transaction.on_commit", lambda fn, robust=False: fn())
    monkeypatch.setattr(consumers, "PRESENCE_DELAY", 0.01)
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
                assert (await socket.connect(timeout=10))[0]
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


async def memberships(backend: str, prefix: str) -> set[str]:
    """The groups the layer still holds a membership of, read from the layer itself."""
    if backend == IN_MEMORY:
        return {group for group, channels in get_channel_layer().groups.items() if channels}
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    try:
        if backend == CORE:  # one sorted set per group: "<prefix>:group:<group>"
            keys = [key.decode() async for key in redis.scan_iter(f"{prefix}:group:*")]
            return {key.removeprefix(f"{prefix}:group:") for key in keys}
        # pub/sub: one Redis channel per group, "<prefix>__group__<group>", while subscribed
        channels = await redis.pubsub_channels(f"{prefix}__group__*")
        return {channel.decode().removeprefix(f"{prefix}__group__") for channel in channels}
    finally:
        await redis.aclose()


async def redis_keys(prefix: str) -> list[str]:
    from redis.asyncio import Redis

    redis = Redis.from_url(REDIS_URL)
    try:
        return [key.decode() async for key in redis.scan_iter(f"{prefix}*")]
    finally:
        await redis.aclose()


async def settle():
    """Let the presence broadcasts scheduled by connects and disconnects finish."""
    await asyncio.gather(*consumers._presence_tasks, return_exceptions=True)


@pytest.mark.parametrize("layer_backend", LAYERS, indirect=True)
def test_a_thousand_handshakes_to_missing_assemblies_leave_no_relay_and_no_group(
    zone_page, layer_backend
):
    backend, prefix = layer_backend
    draft = make_assembly(zone_page, slug="borrador")
    draft.unpublish()
    ids = [10**9 + n for n in range(990)] + [draft.pk] * 5 + ["0", "9" * 23, "abc", "1.5", "-1"]
    assert len(ids) == 1000

    async def refused(assembly_id):
        socket = ws(assembly_id)
        assert (await socket.connect(timeout=10))[0]
        closed = await socket.receive_output(timeout=5)
        assert (closed["type"], closed.get("code")) == ("websocket.close", 4404), assembly_id
        return socket

    async def scenario():
        for start in range(0, len(ids), 50):  # 50 at a time, as a crowd of scripts would
            sockets = await asyncio.gather(*(refused(i) for i in ids[start : start + 50]))
            # Refused and not yet gone (a client may never finish the closing handshake):
            # nothing was joined for them in the first place.
            assert relay.active() == {}
            assert await memberships(backend, prefix) == set()
            await asyncio.gather(*(socket.disconnect() for socket in sockets))
        assert relay.active() == {}
        assert await memberships(backend, prefix) == set()
        if backend != IN_MEMORY:
            assert await redis_keys(prefix) == []

    async_to_sync(scenario)()


@pytest.mark.parametrize("layer_backend", LAYERS, indirect=True)
def test_a_relay_ends_with_its_last_follower_and_a_new_one_starts_after(zone_page, layer_backend):
    backend, prefix = layer_backend
    first, second = make_assembly(zone_page, slug="una"), make_assembly(zone_page, slug="otra")
    staff = staff_of(zone_page)
    services.assembly_start(assembly=first, actor=staff)

    async def follow(assembly):
        socket = ws(assembly.pk)
        assert (await socket.connect(timeout=10))[0]
        assert json.loads(await socket.receive_from(timeout=5))["type"] == "snapshot"
        return socket

    async def scenario():
        a1, a2, b = await follow(first), await follow(first), await follow(second)
        relays = relay.active()
        assert set(relays) == {first.pk, second.pk}
        assert len(relays[first.pk].followers) == 2
        assert await memberships(backend, prefix) == {
            f"assembly.{first.pk}",
            f"assembly.{second.pk}",
        }
        ended = relays[first.pk]

        await a1.disconnect()
        assert relay.active()[first.pk] is ended  # one follower left: the relay stays
        await a2.disconnect()
        assert set(relay.active()) == {second.pk}
        assert ended.task.cancelled() and ended.renewal.cancelled()
        assert await memberships(backend, prefix) == {f"assembly.{second.pk}"}

        # Following the first assembly again starts a new relay, which delivers events.
        again = await follow(first)
        assert relay.active()[first.pk] is not ended
        await database_sync_to_async(services.announcement_post)(
            assembly=first, actor=staff, text="de nuevo"
        )
        for _ in range(10):
            frame = json.loads(await again.receive_from(timeout=5))
            if frame["type"] == "event":
                break
        assert frame["payload"]["announcement"]["text"] == "de nuevo"

        await again.disconnect()
        await b.disconnect()
        await settle()
        assert relay.active() == {}
        assert await memberships(backend, prefix) == set()

    async_to_sync(scenario)()


@pytest.mark.parametrize("layer_backend", LAYERS, indirect=True)
def test_followers_joining_while_events_are_emitted_miss_none(zone_page, layer_backend):
    """The consumer joins the relay before it reads the snapshot: whatever is committed
    between the two reaches it, and the rest is in the snapshot, whichever way they race."""
    assembly = make_assembly(zone_page, slug="carrera")
    staff = staff_of(zone_page)
    services.assembly_start(assembly=assembly, actor=staff)
    events = 15

    async def emit():
        for n in range(events):
            await database_sync_to_async(services.announcement_post)(
                assembly=assembly, actor=staff, text=f"aviso {n}"
            )
            await asyncio.sleep(0)

    async def follow():
        socket = ws(assembly.pk)
        assert (await socket.connect(timeout=10))[0]
        snapshot = json.loads(await socket.receive_from(timeout=5))
        seen = [snapshot["seq"]]
        while seen[-1] < events + 1:  # seq 1 is the start; then one per announcement
            frame = json.loads(await socket.receive_from(timeout=5))
            if frame["type"] == "event":
                seen.append(frame["seq"])
        await socket.disconnect()
        return seen

    async def scenario():
        *followers, _ = await asyncio.gather(*(follow() for _ in range(12)), emit())
        for seen in followers:
            assert seen == list(range(seen[0], events + 2)), seen
        await settle()
        assert relay.active() == {}

    async_to_sync(scenario)()


class SubscribesSlowly(InMemoryChannelLayer):
    """An in-memory layer whose group_add takes a while, as a Redis round trip does: the
    test commits an event during it, deterministically."""

    def __init__(self, during_add):
        super().__init__()
        self.during_add = during_add

    async def group_add(self, group, channel):
        await self.during_add()
        await super().group_add(group, channel)


def test_an_event_committed_while_the_relay_subscribes_reaches_the_follower(zone_page):
    """The follower joins the relay before it reads the snapshot: an event committed while
    the subscription is under way is in the snapshot (read after it), and one committed
    after the read comes through the relay. Reading first would lose it for good: nothing
    follows it, so no gap fill would bring it back."""
    assembly = make_assembly(zone_page, slug="ventana")
    staff = staff_of(zone_page)
    services.assembly_start(assembly=assembly, actor=staff)

    async def announce():
        await database_sync_to_async(services.announcement_post)(
            assembly=assembly, actor=staff, text="durante la suscripción"
        )

    channel_layers.set(DEFAULT_CHANNEL_LAYER, SubscribesSlowly(announce))

    async def scenario():
        socket = ws(assembly.pk)
        assert (await socket.connect(timeout=10))[0]
        frame = json.loads(await socket.receive_from(timeout=5))
        assert (frame["type"], frame["seq"]) == ("snapshot", 2)
        assert [a["text"] for a in frame["state"]["announcements"]] == ["durante la suscripción"]
        await socket.send_json_to({"type": "ping"})
        assert json.loads(await socket.receive_from(timeout=5)) == {"type": "pong", "seq": 2}
        await socket.disconnect()
        await settle()

    try:
        async_to_sync(scenario)()
    finally:
        channel_layers.backends.clear()


class RefusesSubscriptions(InMemoryChannelLayer):
    """A layer that cannot be reached to subscribe (Redis down), until it recovers."""

    down = True

    async def group_add(self, group, channel):
        if self.down:
            raise ConnectionError("the layer is down")
        await super().group_add(group, channel)


def test_a_worker_that_cannot_subscribe_closes_with_1011_and_keeps_no_relay(assembly):
    layer = RefusesSubscriptions()
    channel_layers.set(DEFAULT_CHANNEL_LAYER, layer)

    async def scenario():
        socket = ws(assembly.pk)
        assert (await socket.connect(timeout=10))[0]
        closed = await socket.receive_output(timeout=5)
        assert (closed["type"], closed.get("code")) == ("websocket.close", 1011)
        await socket.disconnect()
        assert relay.active() == {}
        layer.down = False  # the layer is back: the next follower gets a working relay
        socket = ws(assembly.pk)
        assert (await socket.connect(timeout=10))[0]
        assert json.loads(await socket.receive_from(timeout=5))["type"] == "snapshot"
        assert set(relay.active()) == {assembly.pk}
        await socket.disconnect()
        await settle()

    try:
        async_to_sync(scenario)()
    finally:
        channel_layers.backends.clear()
