"""Two ASGI worker processes started by deploy/asgi-worker (the production command) sharing
PostgreSQL and Redis, as in production, on both Redis channel layers: events cross processes
complete and in order, /healthz answers on workers that follow an assembly, an unknown
assembly is closed with 4404, an oversized client frame is answered and the socket stays up,
and the worker declines permessage-deflate.

Needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both). Without them it is skipped:
the in-memory channel layer cannot span processes, and SQLite's in-memory test database
cannot be shared with a server process.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from assemblies import services

from .conftest import make_assembly, pass_mfa, staff_of

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")
ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

pytestmark = pytest.mark.skipif(
    not (REDIS_URL and ON_POSTGRES),
    reason="needs REDIS_URL and a PostgreSQL DATABASE_URL (CI sets both)",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_server(port: int, backend: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "quitodecide.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "CHANNEL_LAYER_BACKEND": backend,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env["PYTHON"] = sys.executable
    return subprocess.Popen(
        [str(ROOT / "deploy" / "asgi-worker"), str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,  # an unread pipe would fill up and stall the server
    )


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server on {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"server on {port} did not start in {timeout} s")


async def next_frame(ws, kind: str, timeout: float = 10):
    """The next frame of `kind`, skipping others. The timeout only bounds a hang: what the
    tests assert is which frames arrive, and in which order, never how fast."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no {kind} frame within {timeout} s")
        frame = json.loads(await asyncio.wait_for(ws.recv(), remaining))
        if frame["type"] == kind:
            return frame


async def events_until_pong(ws) -> list[dict]:
    """The events that arrive before the answer to a ping: the server answers frames in
    order, so these are all it had sent until then."""
    await ws.send(json.dumps({"type": "ping"}))
    events = []
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if frame["type"] == "pong":
            return events
        if frame["type"] == "event":
            events.append(frame)


def healthz(port: int) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize(
    "backend",
    ["channels_redis.pubsub.RedisPubSubChannelLayer", "channels_redis.core.RedisChannelLayer"],
)
def test_two_processes_share_events_through_redis(transactional_territory, backend):
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    from territory.models import ZonePage

    zone_page = ZonePage.objects.get(zone__slug="calderon")
    assembly = make_assembly(zone_page, slug="integracion")
    staff = staff_of(zone_page)
    services.assembly_start(assembly=assembly, actor=staff)
    client = pass_mfa(Client(), staff)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    port_a, port_b = free_port(), free_port()
    servers = [start_server(port_a, backend), start_server(port_b, backend)]
    try:
        for port, process in zip((port_a, port_b), servers, strict=True):
            wait_until_up(port, process)

        async def scenario():
            path = f"/ws/asambleas/{assembly.pk}/"
            origin = "http://127.0.0.1"
            staff_ws = await connect(
                f"ws://127.0.0.1:{port_a}{path}",
                origin=origin,
                additional_headers={"Cookie": cookie},
                open_timeout=10,
            )
            follower = await connect(f"ws://127.0.0.1:{port_b}{path}", origin=origin)
            snapshot = await next_frame(follower, "snapshot")
            assert (await next_frame(staff_ws, "snapshot"))["staff"] is True
            # The client offered permessage-deflate (websockets does by default, as browsers
            # do); the production worker declines it.
            assert follower.protocol.extensions == []

            # Above the consumer's limit but within the server's: an error frame, and the
            # socket stays up (answers the next ping).
            await follower.send(json.dumps({"type": "ping", "pad": "x" * 200_000}))
            assert (await next_frame(follower, "error"))["code"] == "too_large"
            await follower.send(json.dumps({"type": "ping"}))
            await next_frame(follower, "pong")

            async def announce(text):
                await staff_ws.send(
                    json.dumps({"type": "action", "action": "announcement.post", "text": text})
                )
                return await next_frame(staff_ws, "ack")

            # Published through A, delivered by B: all of them, in order, once each.
            texts = ["desde A 1", "desde A 2", "desde A 3"]
            for text in texts:
                await announce(text)
            live = [await next_frame(follower, "event") for _ in texts]
            assert [f["seq"] for f in live] == [snapshot["seq"] + n for n in (1, 2, 3)]
            assert [f["payload"]["announcement"]["text"] for f in live] == texts
            assert await events_until_pong(follower) == []  # no duplicates
            last_seen = live[-1]["seq"]

            # Each worker now follows an assembly, and /healthz still answers on both.
            for port in (port_a, port_b):
                status, body = await asyncio.to_thread(healthz, port)
                assert (status, body["status"]) == (200, "ok"), (port, body)

            # A made-up assembly is closed with 4404 after the handshake (not an HTTP 403).
            missing = await connect(
                f"ws://127.0.0.1:{port_b}/ws/asambleas/99999999/", origin=origin
            )
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(missing.recv(), 10)
            assert closed.value.rcvd.code == 4404

            await follower.close()
            for text in ("uno", "dos", "tres"):
                await announce(text)
            follower = await connect(
                f"ws://127.0.0.1:{port_b}{path}?since={last_seen}", origin=origin
            )
            resumed = await next_frame(follower, "resumed")
            assert resumed["seq"] == last_seen
            missed = [await next_frame(follower, "event") for _ in range(3)]
            assert [f["seq"] for f in missed] == [last_seen + 1, last_seen + 2, last_seen + 3]
            assert [f["payload"]["announcement"]["text"] for f in missed] == ["uno", "dos", "tres"]
            await follower.close()
            await staff_ws.close()

        asyncio.run(asyncio.wait_for(scenario(), 30))
    finally:
        for process in servers:
            process.terminate()
        for process in servers:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
