"""`make bench-push-vs-poll`: server CPU and delivery latency for N followers of one live
assembly, one event every `--interval` seconds for `--duration` seconds, (a) pushed over
WebSockets, (b) polling the JSON state endpoint (`<page>/estado/`) every 0.5 s, (c) every 5 s.

    .venv/bin/python benches/live/bench_push_vs_poll.py                 # 1,000 followers, 60 s
    .venv/bin/python benches/live/bench_push_vs_poll.py --followers 100 --duration 10

One worker (deploy/asgi-worker, the README's production command) with production settings
(benches/live/bench_settings.py: the endpoint's per-address limit off, every client is
127.0.0.1), the Redis channel layer and cache
(REDIS_URL, default redis://127.0.0.1:6379/5), SQLite in var/ (BENCH_DATABASE_URL to change).
Events are announcements posted through the real staff WebSocket path; latency is from the
moment the publisher sends one to the moment a follower sees it (pushed: its frame arrives;
polling: the first poll response that contains it). CPU: utime+stime of the server process
from /proc over the measured window (the same `--duration` seconds in every mode), and of
redis-server over the same window, reported apart (it is shared with other work). Clients run
in separate processes and are not counted (their CPU is printed too: on a 2-core machine they
compete with the server). Pollers keep one HTTP/1.1 keep-alive connection each, start at a
random offset within their interval, wait `interval` after each answer (setTimeout style)
and send If-None-Match (an unchanged state is a 304). Everything on 127.0.0.1, bounded waits.
"""

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import platform
import random
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_SECRET_KEY = os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(40)
os.environ["BENCH_SECRET_KEY"] = BENCH_SECRET_KEY
# This run's events only (the snapshot keeps older announcements); spawned clients inherit it.
RUN = os.environ.setdefault("BENCH_PUSH_POLL_RUN", secrets.token_hex(4))


def marker(tag: str):
    return re.compile(rb"bench:" + tag.encode() + rb":(\d+):(\d+)")


CONNECT_LIMIT = 64  # concurrent connection attempts per client process


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, redis_url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benches.live.bench_settings",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "CEDULA_HASH_KEY": "bench-only-" + "x" * 40,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_URL": "consolemail://",
        "SITE_BASE_URL": "http://127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CHANNEL_LAYER_BACKEND": "channels_redis.core.RedisChannelLayer",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def prepare(env: dict) -> dict:
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_territory"], env=env, check=True, cwd=ROOT, capture_output=True)
    out = subprocess.run(
        [*manage, "shell", "-c", PREPARE], env=env, check=True, cwd=ROOT, capture_output=True
    )
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


# Run in `manage.py shell` with the server's settings: benches/live/setup_data.py, with the
# staff member given a TOTP authenticator (the MFA gate asks for one) and marked as past MFA
# when setup starts the assembly outside any session.
PREPARE = """
import json
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from assemblies.models import AssemblyPage
from assemblies.views import state_url
from benches.live import setup_data
from quitodecide.mfa import mark_user

user, _ = get_user_model().objects.get_or_create(email="bench@quitodecide.localhost")
Authenticator.objects.get_or_create(
    user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "x"}}
)
start = setup_data.services.assembly_start


def marked_start(*, assembly, actor):
    mark_user(actor, True)
    return start(assembly=assembly, actor=actor)


setup_data.services.assembly_start = marked_start
info = setup_data.setup()
info["state_path"] = state_url(AssemblyPage.objects.get(pk=info["assembly"]))
print(json.dumps(info))
"""


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    usage = os.times()
    return usage.user + usage.system


# --- Clients (separate processes) -------------------------------------------------------


def client_process(tag, mode, port, path, count, interval, ready, results, barrier, run_s, grace):
    asyncio.run(
        _clients(tag, mode, port, path, count, interval, ready, results, barrier, run_s, grace)
    )


async def _clients(tag, mode, port, path, count, interval, ready, results, barrier, run_s, grace_s):
    mark = marker(tag)  # this mode's events only: the snapshot also holds earlier ones
    seen: dict[tuple[int, int], float] = {}  # (follower, event) -> latency ms
    stats = {"requests": 0, "not_modified": 0, "errors": 0, "error_kinds": {}}
    semaphore = asyncio.Semaphore(CONNECT_LIMIT)

    def error(kind: str):
        stats["errors"] += 1
        stats["error_kinds"][kind] = stats["error_kinds"].get(kind, 0) + 1

    def note(follower: int, chunk: bytes):
        now = time.time_ns()
        for match in mark.finditer(chunk):
            key = (follower, int(match.group(1)))
            if key not in seen:
                seen[key] = (now - int(match.group(2))) / 1e6

    if mode == "push":
        from websockets.asyncio.client import connect

        async def open_one(i):
            async with semaphore:
                try:
                    ws = await connect(
                        f"ws://127.0.0.1:{port}{path}",
                        origin="http://127.0.0.1",
                        open_timeout=30,
                        ping_interval=None,
                        max_queue=None,
                    )
                    await asyncio.wait_for(ws.recv(), 30)  # snapshot (older events only)
                    return ws
                except Exception as exc:  # noqa: BLE001 - counted as an error
                    error(f"connect:{type(exc).__name__}")
                    return None

        conns = await asyncio.gather(*(open_one(i) for i in range(count)))
    else:

        async def open_one(i):
            async with semaphore:
                try:
                    return await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 30)
                except Exception as exc:  # noqa: BLE001
                    error(f"connect:{type(exc).__name__}")
                    return None

        conns = await asyncio.gather(*(open_one(i) for i in range(count)))
    ready.put(sum(1 for c in conns if c))
    await asyncio.to_thread(barrier.wait, 600)
    stop_at = time.monotonic() + run_s + grace_s
    cpu0 = own_cpu()

    async def listen(i, ws):
        try:
            while True:
                remaining = stop_at - time.monotonic()
                if remaining <= 0:
                    return
                try:
                    frame = await asyncio.wait_for(ws.recv(), remaining)
                except TimeoutError:
                    return
                note(i, frame.encode() if isinstance(frame, str) else frame)
        except Exception as exc:  # noqa: BLE001
            error(f"ws:{type(exc).__name__}")

    async def read_response(reader):
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        if "content-length" in headers:
            body = await reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(parts)
        else:
            body = b""
        return status, headers, body

    async def poll(i, conn):
        reader, writer = conn
        etag = None
        await asyncio.sleep(random.uniform(0, interval))
        while time.monotonic() < stop_at:
            request = (
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
                "X-Forwarded-Proto: https\r\n"  # as the proxy says (SECURE_SSL_REDIRECT)
            )
            if etag:
                request += f"If-None-Match: {etag}\r\n"
            try:
                writer.write((request + "\r\n").encode())
                status, headers, body = await asyncio.wait_for(read_response(reader), 30)
                stats["requests"] += 1
                if status == 200:
                    etag = headers.get("etag")
                    note(i, body)
                elif status == 304:
                    stats["not_modified"] += 1
                else:
                    error(f"http:{status}")
                if headers.get("connection", "").lower() == "close":
                    writer.close()
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except Exception as exc:  # noqa: BLE001 - reconnect and go on
                error(f"http:{type(exc).__name__}")
                writer.close()
                await asyncio.sleep(1)
                try:
                    reader, writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError:
                    continue
            await asyncio.sleep(interval)
        writer.close()

    tasks = [
        asyncio.create_task(listen(i, c) if mode == "push" else poll(i, c))
        for i, c in enumerate(conns)
        if c
    ]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*tasks), run_s + grace_s + 40)
    for task in tasks:
        task.cancel()
    if mode == "push":
        await asyncio.gather(*(c.close() for c in conns if c), return_exceptions=True)
    stats["client_cpu"] = own_cpu() - cpu0
    results.put((list(seen.values()), stats))


# --- Publisher: the staff path ------------------------------------------------------------


async def open_publisher(port, path_ws, cookie):
    """The staff WebSocket, opened before the followers start (a saturated server may not
    finish a handshake within the server's connect timeout)."""
    from websockets.asyncio.client import connect

    ws = await connect(
        f"ws://127.0.0.1:{port}{path_ws}",
        origin="http://127.0.0.1",
        additional_headers={"Cookie": cookie},
        open_timeout=30,
        ping_interval=None,
    )
    await asyncio.wait_for(ws.recv(), 30)
    return ws


async def publish(tag, ws, reopen, events, interval):
    """One announcement every `interval` s; a staff socket the server closed (e.g. its
    channel layer timed out on a loaded machine) is reopened and counted in `reopened`."""
    from websockets.exceptions import ConnectionClosed

    acks, reopened = 0, 0

    async def drain():
        nonlocal acks
        with contextlib.suppress(ConnectionClosed):
            async for raw in ws:
                frame = json.loads(raw)
                if frame.get("type") == "ack":
                    acks += 1
                elif frame.get("type") == "error":
                    print(f"  staff action refused: {frame}", flush=True)

    reader = asyncio.create_task(drain())
    start = time.monotonic()
    for k in range(events):
        await asyncio.sleep(max(0.0, start + k * interval - time.monotonic()))
        text = f"bench:{tag}:{k}:{time.time_ns()}"
        action = {"type": "action", "action": "announcement.post", "text": text, "ref": k}
        for _attempt in range(3):
            try:
                await ws.send(json.dumps(action))
                break
            except ConnectionClosed:
                reopened += 1
                ws = await reopen()
                reader = asyncio.create_task(drain())
    deadline = time.monotonic() + 20
    while acks < events and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    reader.cancel()
    await ws.close()
    return acks, reopened


def wait_port(port, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise RuntimeError("server did not start")


def redis_pid(redis_url: str) -> int | None:
    try:
        import redis

        return int(redis.Redis.from_url(redis_url).info("server")["process_id"])
    except Exception:  # noqa: BLE001 - Redis CPU is then not reported
        return None


def run_mode(name, mode, interval, env, info, args, rpid) -> dict:
    tag = f"{RUN}-{mode}-{interval:g}"
    port = free_port()
    log = (ROOT / "var" / f"bench-push-vs-poll-{name.replace(' ', '-')}.log").open("w")
    # The README's worker command (deploy/asgi-worker), with this interpreter.
    server = subprocess.Popen(
        ["env", f"PYTHON={sys.executable}", str(ROOT / "deploy" / "asgi-worker"), str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    clients = []
    try:
        wait_port(port, server)
        ws_path = f"/ws/asambleas/{info['assembly']}/"
        path = ws_path if mode == "push" else info["state_path"]
        procs = args.client_processes
        share = [args.followers // procs + (i < args.followers % procs) for i in range(procs)]
        ctx = mp.get_context("spawn")
        ready, results = ctx.Queue(), ctx.Queue()
        barrier = ctx.Barrier(procs + 1)
        events = int(args.duration / args.interval)
        grace = max(interval, 0) + 3
        clients = [
            ctx.Process(
                target=client_process,
                args=(
                    tag,
                    mode,
                    port,
                    path,
                    n,
                    interval,
                    ready,
                    results,
                    barrier,
                    args.duration,
                    grace,
                ),
            )
            for n in share
        ]
        for client in clients:
            client.start()
        connected = sum(ready.get(timeout=180) for _ in clients)
        time.sleep(2)  # connection-time work (presence) settles
        loop = asyncio.new_event_loop()
        staff_ws = loop.run_until_complete(open_publisher(port, ws_path, info["cookie"]))
        barrier.wait(60)
        t0 = time.monotonic()
        cpu0, redis0 = cpu_seconds(server.pid), cpu_seconds(rpid) if rpid else None
        publisher = loop.create_task(
            publish(
                tag,
                staff_ws,
                lambda: open_publisher(port, ws_path, info["cookie"]),
                events,
                args.interval,
            )
        )
        loop.run_until_complete(asyncio.sleep(max(0.0, t0 + args.duration - time.monotonic())))
        cpu1, redis1 = cpu_seconds(server.pid), cpu_seconds(rpid) if rpid else None
        window = time.monotonic() - t0
        acks, reopened = loop.run_until_complete(asyncio.wait_for(publisher, 90))
        loop.close()
        latencies, stats = [], {"requests": 0, "not_modified": 0, "errors": 0, "client_cpu": 0.0}
        kinds: dict = {}
        for _ in clients:
            lat, st = results.get(timeout=args.duration + grace + 90)
            latencies += lat
            for key in ("requests", "not_modified", "errors", "client_cpu"):
                stats[key] += st[key]
            for kind, n in st["error_kinds"].items():
                kinds[kind] = kinds.get(kind, 0) + n
        for client in clients:
            client.join(timeout=30)
    finally:
        for client in clients:
            if client.is_alive():
                client.kill()
                client.join(5)
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(5)
        log.close()
    latencies.sort()

    def pct(p):
        return (
            latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else None
        )

    return {
        "mode": name,
        "followers": args.followers,
        "connected": connected,
        "events": events,
        "acks": acks,
        "staff_socket_reopened": reopened,
        "window_s": round(window, 1),
        "server_cpu_s": round(cpu1 - cpu0, 2),
        "redis_cpu_s": round(redis1 - redis0, 2)
        if redis0 is not None and redis1 is not None
        else None,
        "client_cpu_s": round(stats["client_cpu"], 1),
        "delivered": len(latencies),
        "delivery_ratio": round(len(latencies) / (args.followers * events), 4) if events else 0,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "requests": stats["requests"] if mode != "push" else None,
        "not_modified": stats["not_modified"] if mode != "push" else None,
        "errors": stats["errors"],
        "error_kinds": kinds,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=60, help="measured seconds per mode")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between events")
    parser.add_argument("--polls", default="0.5,5", help="poll intervals to compare, seconds")
    parser.add_argument("--client-processes", type=int, default=4)
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5")
    database_url = os.environ.get(
        "BENCH_DATABASE_URL",
        f"sqlite:///{ROOT / 'var' / 'bench-push-vs-poll.sqlite3'}?conn_max_age=60",
    )
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"load average before: {os.getloadavg()}")
    print(
        f"database: {database_url.split('@')[-1]}  redis: {redis_url}  "
        "server: deploy/asgi-worker x1"
    )
    env = server_env(database_url, redis_url)
    info = prepare(env)
    rpid = redis_pid(redis_url)
    if rpid is None or cpu_seconds(rpid) is None:
        print("redis-server CPU: not readable, not reported")
        rpid = None
    modes = [("push (WebSocket)", "push", 0.0)] + [
        (f"poll every {float(p):g} s", "poll", float(p)) for p in args.polls.split(",") if p
    ]
    rows = []
    for name, mode, interval in modes:
        row = run_mode(name, mode, interval, env, info, args, rpid)
        rows.append(row)
        print(f"  done: {name}: {json.dumps(row)}", flush=True)
    push_cpu = rows[0]["server_cpu_s"] or 1e-9

    def ms(v):
        return "-" if v is None else f"{v:.0f}"

    print()
    print(
        f"{args.followers} followers, one event every {args.interval:g} s, "
        f"{args.duration:g} s measured per mode"
    )
    header = (
        f"{'mode':<18} {'CPU s':>7} {'x push':>7} {'redis s':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'p99 ms':>7} {'delivered':>9} {'requests':>8} {'304':>7} {'errors':>6} {'clients s':>9}"
    )
    print(header)
    for row in rows:

        def dash(value, spec):
            return "-" if value is None else format(value, spec)

        print(
            f"{row['mode']:<18} {row['server_cpu_s']:>7.1f} {row['server_cpu_s'] / push_cpu:>7.1f} "
            f"{dash(row['redis_cpu_s'], '.1f'):>7} "
            f"{ms(row['p50_ms']):>7} {ms(row['p95_ms']):>7} {ms(row['p99_ms']):>7} "
            f"{row['delivery_ratio']:>9.4f} {dash(row['requests'], 'd'):>8} "
            f"{dash(row['not_modified'], 'd'):>7} {row['errors']:>6} {row['client_cpu_s']:>9.1f}"
        )
    for row in rows[1:]:
        if row["server_cpu_s"]:
            print(f"push uses {push_cpu / row['server_cpu_s']:.3f} of the CPU of {row['mode']}")
    print(f"load average after: {os.getloadavg()}")
    out = ROOT / "var" / f"bench-push-vs-poll-{args.followers}.json"
    out.write_text(json.dumps(rows, indent=2))
    print(f"results written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
