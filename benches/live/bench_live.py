"""`make bench-live`: N WebSocket followers of one assembly, K announcements through the
staff path, latency and delivery measured at the receivers; the same harness against a raw
`websockets` broadcast server (the physical baseline); server CPU with the followers idle.

    .venv/bin/python benches/live/bench_live.py --followers 1000 --events 20 --interval 1
    .venv/bin/python benches/live/bench_live.py --followers 5000 --layers core

Everything on 127.0.0.1. The Django server is daphne with production settings and the Redis
channel layer (REDIS_URL, default redis://127.0.0.1:6379/3); the database is BENCH_DATABASE_URL
(default: a SQLite file in var/, migrated and loaded on first use). Every wait is bounded.
"""

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import platform
import secrets
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# One key per run: the staff session is created by `prepare` and read by the servers.
BENCH_SECRET_KEY = os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(40)
os.environ["BENCH_SECRET_KEY"] = BENCH_SECRET_KEY  # client processes are spawned
LAYERS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(database_url: str, redis_url: str, layer: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "quitodecide.settings.production",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "CEDULA_HASH_KEY": "bench-only",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_URL": "consolemail://",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CHANNEL_LAYER_BACKEND": layer,
        "LOG_LEVEL": "WARNING",
    }


# --- Setup: an assembly in progress and a staff session with MFA ------------------------


def prepare(database_url: str, redis_url: str) -> dict:
    """Runs in a child interpreter with the server's settings (so the same database)."""
    env = server_env(database_url, redis_url, LAYERS["core"])
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_territory"], env=env, check=True, cwd=ROOT, capture_output=True)
    code = "import json; from benches.live.setup_data import setup; print(json.dumps(setup()))"
    out = subprocess.run(
        [*manage, "shell", "-c", code], env=env, check=True, cwd=ROOT, capture_output=True
    )
    return json.loads(out.stdout.decode().strip().splitlines()[-1])


# --- Followers (client processes) -------------------------------------------------------


def follower_process(url, count, expected, ready, results, start_barrier, deadline_s):
    asyncio.run(_followers(url, count, expected, ready, results, start_barrier, deadline_s))


async def _followers(url, count, expected, ready, results, start_barrier, deadline_s):
    from websockets.asyncio.client import connect

    latencies: list[float] = []
    errors: list[str] = []  # followers whose socket failed while listening
    connected = 0
    done = asyncio.Event()
    remaining = [count * expected]
    semaphore = asyncio.Semaphore(64)  # bounded connection storm

    async def one():
        nonlocal connected
        async with semaphore:
            try:
                ws = await connect(
                    url,
                    origin="http://127.0.0.1",
                    open_timeout=30,
                    ping_interval=None,
                    max_queue=None,
                )
                await asyncio.wait_for(ws.recv(), 30)  # snapshot
            except Exception:  # noqa: BLE001 - a refused follower counts as undelivered
                return None
        connected += 1
        return ws

    sockets = [ws for ws in await asyncio.gather(*(one() for _ in range(count))) if ws]
    ready.put(len(sockets))
    # Wait (in a thread: it is a multiprocessing barrier) until the publisher starts.
    await asyncio.to_thread(start_barrier.wait, 600)

    async def listen(ws):
        seen = 0
        try:
            while seen < expected:
                frame = json.loads(await ws.recv())
                if frame.get("type") != "event":
                    continue
                text = frame["payload"]["announcement"]["text"]
                if text.startswith("bench:"):
                    sent_ns = int(text.split(":")[2])
                    latencies.append((time.time_ns() - sent_ns) / 1e6)
                    seen += 1
                    remaining[0] -= 1
        except Exception as error:  # noqa: BLE001 - closed socket: the rest counts as lost
            errors.append(type(error).__name__)
        if remaining[0] <= 0:
            done.set()

    tasks = [asyncio.create_task(listen(ws)) for ws in sockets]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*tasks), deadline_s)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    if errors:
        print(f"  {len(errors)} follower sockets failed: {sorted(set(errors))}", flush=True)
    results.put(latencies)


# --- Publisher (the staff path) ---------------------------------------------------------


async def publish(url, cookie, events, interval):
    from websockets.asyncio.client import connect

    headers = {"Cookie": cookie} if cookie else {}
    async with connect(
        url,
        origin="http://127.0.0.1",
        additional_headers=headers,
        open_timeout=30,
        ping_interval=None,
    ) as ws:
        await asyncio.wait_for(ws.recv(), 30)
        acks = 0
        for k in range(events):
            text = f"bench:{k}:{time.time_ns()}"
            await ws.send(
                json.dumps(
                    {"type": "action", "action": "announcement.post", "text": text, "ref": k}
                )
            )
            await asyncio.sleep(interval)
        deadline = time.monotonic() + 30
        while acks < events and time.monotonic() < deadline:
            try:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
            except TimeoutError:
                break
            if frame.get("type") == "ack":
                acks += 1
            elif frame.get("type") == "error":
                raise RuntimeError(f"staff action refused: {frame}")
        return acks


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_port(port: int, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def run_case(name, server_cmd, env, path, cookie, args) -> dict:
    port = free_port()
    cmd = [part.replace("{port}", str(port)) for part in server_cmd]
    # The server's output goes to a file: an unread pipe fills up and stalls the server.
    log = (ROOT / "var" / f"bench-live-{name.replace(' ', '-').replace('+', '-')}.log").open("w")
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_port(port, server)
        url = f"ws://127.0.0.1:{port}{path}"
        procs = args.client_processes
        share = [
            args.followers // procs + (1 if i < args.followers % procs else 0) for i in range(procs)
        ]
        ctx = mp.get_context("spawn")
        ready, results = ctx.Queue(), ctx.Queue()
        barrier = ctx.Barrier(procs + 1)
        clients = [
            ctx.Process(
                target=follower_process,
                args=(url, n, args.events, ready, results, barrier, args.deadline),
            )
            for n in share
        ]
        started = time.monotonic()
        for client in clients:
            client.start()
        connected = sum(ready.get(timeout=300) for _ in clients)
        connect_s = time.monotonic() - started
        time.sleep(2)  # let connection-time work (presence) settle
        cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
        time.sleep(args.idle_seconds)
        idle_cpu = 100 * (cpu_seconds(server.pid) - cpu0) / (time.monotonic() - t0)
        barrier.wait(60)
        cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
        acks = asyncio.run(publish(url, cookie, args.events, args.interval))
        latencies = []
        for _ in clients:
            latencies += results.get(timeout=args.deadline + 60)
        busy_cpu = 100 * (cpu_seconds(server.pid) - cpu0) / (time.monotonic() - t0)
        for client in clients:
            client.join(timeout=30)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    latencies.sort()
    expected = args.followers * args.events

    def pct(p):
        return (
            latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else None
        )

    return {
        "case": name,
        "followers": args.followers,
        "connected": connected,
        "connect_s": round(connect_s, 1),
        "events": args.events,
        "acks": acks,
        "delivered": len(latencies),
        "delivery_ratio": round(len(latencies) / expected, 4),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": latencies[-1] if latencies else None,
        "mean_ms": statistics.fmean(latencies) if latencies else None,
        "idle_cpu_pct": round(idle_cpu, 1),
        "publish_cpu_pct": round(busy_cpu, 1),
    }


def fmt(row):
    def ms(v):
        return "-" if v is None else f"{v:7.1f}"

    return (
        f"{row['case']:<22} N={row['followers']:<5} conn={row['connected']:<5} "
        f"deliv={row['delivery_ratio']:.4f} p50={ms(row['p50_ms'])} p95={ms(row['p95_ms'])} "
        f"p99={ms(row['p99_ms'])} max={ms(row['max_ms'])} ms  idle CPU={row['idle_cpu_pct']}% "
        f"publish CPU={row['publish_cpu_pct']}%"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument(
        "--interval", type=float, default=1.0, help="seconds between events (an assembly's pace)"
    )
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--idle-seconds", type=float, default=10)
    parser.add_argument("--deadline", type=float, default=120, help="max seconds to wait")
    parser.add_argument("--layers", default="core,pubsub")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--servers", default="daphne", help="ASGI servers to compare: daphne,uvicorn"
    )
    args = parser.parse_args()

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3")
    database_url = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-live.sqlite3'}?conn_max_age=60"
    )
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"database: {database_url.split('@')[-1]}  redis: {redis_url}")
    info = prepare(database_url, redis_url)
    path = f"/ws/asambleas/{info['assembly']}/"
    rows = []
    commands = {
        "daphne": [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            "{port}",
            "quitodecide.asgi:application",
        ],
        "uvicorn": [
            sys.executable,
            "-m",
            "uvicorn",
            "quitodecide.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            "{port}",
            "--ws",
            "websockets",
            "--no-access-log",
            "--lifespan",
            "off",
        ],
    }
    for server in [s for s in args.servers.split(",") if s]:
        for key in [k for k in args.layers.split(",") if k]:
            env = server_env(database_url, redis_url, LAYERS[key])
            row = run_case(f"{server}+{key}", commands[server], env, path, info["cookie"], args)
            print(fmt(row), flush=True)
            rows.append(row)
    if not args.no_baseline:
        cmd = [sys.executable, str(ROOT / "benches/live/raw_server.py"), "{port}"]
        row = run_case("raw websockets", cmd, dict(os.environ), path, "", args)
        print(fmt(row), flush=True)
        rows.append(row)
        base = row["p99_ms"]
        for other in rows[:-1]:
            if base and other["p99_ms"]:
                other["p99_vs_raw"] = round(other["p99_ms"] / base, 1)
                print(f"{other['case']}: p99 is {other['p99_vs_raw']}x the raw baseline")
    out = ROOT / "var" / f"bench-live-{args.followers}.json"
    out.write_text(json.dumps(rows, indent=2))
    print(f"results written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
