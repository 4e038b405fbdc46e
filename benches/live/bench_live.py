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
import re
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# One key per run: the staff session is created by `prepare` and read by the servers.
BENCH_SECRET_KEY = os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(40)
os.environ["BENCH_SECRET_KEY"] = BENCH_SECRET_KEY  # client processes are spawned
DEFAULT_SERVER = "production"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
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
        "CEDULA_HASH_KEY": "bench-only-" + "0123456789abcdef" * 3,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_URL": "consolemail://",
        "SITE_BASE_URL": "http://127.0.0.1",
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
    out = subprocess.run([*manage, "shell", "-c", code], env=env, cwd=ROOT, capture_output=True)
    if out.returncode:
        raise SystemExit(out.stderr.decode()[-2000:])
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
                raw = await ws.recv()
                at = raw.find('"text":"bench:')  # cheaper than json.loads per frame
                if at < 0:
                    continue
                sent_ns = int(raw[at + 14 :].split(":", 2)[1].split('"', 1)[0])
                latencies.append((time.time_ns() - sent_ns) / 1e6)
                seen += 1
                remaining[0] -= 1
        except Exception as error:  # noqa: BLE001 - closed socket: the rest counts as lost
            errors.append(type(error).__name__)
        if remaining[0] <= 0:
            done.set()

    if expected == 0:  # --memory and the warm-up: idle until the barrier, then close
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        results.put(([], 0.0))
        return
    cpu0 = time.process_time()
    tasks = [asyncio.create_task(listen(ws)) for ws in sockets]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.gather(*tasks), deadline_s)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    if errors:
        print(f"  {len(errors)} follower sockets failed: {sorted(set(errors))}", flush=True)
    results.put((latencies, time.process_time() - cpu0))


# --- Publisher (the staff path) ---------------------------------------------------------


async def publish(urls, cookie, events, interval):
    """The staff path: one socket (through the proxy). For the raw baseline over W
    processes, one socket per process, each sent the same action (they share no layer)."""
    from websockets.asyncio.client import connect

    headers = {"Cookie": cookie} if cookie else {}
    sockets = []
    try:
        for url in urls:
            sockets.append(
                await connect(
                    url,
                    origin="http://127.0.0.1",
                    additional_headers=headers,
                    open_timeout=30,
                    ping_interval=None,
                )
            )
            await asyncio.wait_for(sockets[-1].recv(), 30)
        acks = 0
        for k in range(events):
            text = f"bench:{k}:{time.time_ns()}"
            frame = json.dumps(
                {"type": "action", "action": "announcement.post", "text": text, "ref": k}
            )
            for ws in sockets:
                await ws.send(frame)
            await asyncio.sleep(interval)
        deadline = time.monotonic() + 30
        while acks < events and time.monotonic() < deadline:
            try:
                frame = json.loads(await asyncio.wait_for(sockets[0].recv(), 5))
            except TimeoutError:
                break
            if frame.get("type") == "ack":
                acks += 1
            elif frame.get("type") == "error":
                raise RuntimeError(f"staff action refused: {frame}")
        return acks
    finally:
        for ws in sockets:
            await ws.close()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


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


NGINX_CONF = ROOT / "deploy" / "nginx.conf"


def render_nginx(listen: int, upstreams: list[int], prefix: Path) -> Path:
    """deploy/nginx.conf with the bench's ports and paths: each substitution must match the
    committed file (so what is measured is what the README deploys)."""
    text = NGINX_CONF.read_text()

    def sub(pattern, replacement, count=1):
        nonlocal text
        text, n = re.subn(pattern, replacement, text, flags=re.M)
        if n != count:
            raise RuntimeError(f"deploy/nginx.conf changed: {pattern!r} matched {n} times")

    servers = "".join(f"        server 127.0.0.1:{port} max_fails=0;\n" for port in upstreams)
    sub(r"^(        server 127\.0\.0\.1:\d+ max_fails=0;\n)+", servers)
    sub(r"^(\s*)listen 80 ", rf"\g<1>listen 127.0.0.1:{listen} ")
    sub(r"^user .*;$", "user root;")
    sub(r"^pid .*;$", f"pid {prefix}/nginx.pid;")
    sub(r"^error_log \S+", f"error_log {prefix}/error.log")
    sub(r"^(\s*)access_log /var/log/nginx/\S+;", r"\g<1>access_log off;")
    sub(r"alias /srv/quitodecide/var/static/;", f"alias {ROOT}/var/static/;")
    conf = prefix / "nginx.conf"
    conf.write_text(text)
    return conf


def stop(process, timeout=15):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def start_servers(name, server_cmd, env, args):
    """W server processes on their own ports, and nginx in front unless --no-proxy.
    Returns (servers, proxy, follower port, worker ports)."""
    ports = [free_port() for _ in range(args.workers)]
    servers, proxy = [], None
    log = (ROOT / "var" / f"bench-live-{name.replace(' ', '-').replace('+', '-')}.log").open("w")
    try:
        for port in ports:
            cmd = [part.replace("{port}", str(port)) for part in server_cmd]
            # Output to a file: an unread pipe fills up and stalls the server.
            servers.append(
                subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
            )
        for port, server in zip(ports, servers, strict=True):
            wait_port(port, server)
        if args.no_proxy:
            if args.workers != 1:
                raise SystemExit("--no-proxy needs --workers 1")
            return servers, None, ports[0], ports
        prefix = Path(tempfile.mkdtemp(prefix="bench-live-nginx-", dir=ROOT / "var"))
        listen = free_port()
        conf = render_nginx(listen, ports, prefix)
        proxy = subprocess.Popen(
            [NGINX, "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        wait_port(listen, proxy)
        return servers, proxy, listen, ports
    except BaseException:
        for process in [*servers, *([proxy] if proxy else [])]:
            stop(process)
        raise
    finally:
        log.close()


def tree(pid: int) -> list[int]:
    """A process and its descendants (nginx's and granian's workers are children)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [pid, *(p for child in children for p in tree(int(child)))]


def nginx_pids(proxy) -> list[int]:
    return [] if proxy is None else tree(proxy.pid)


def spawn_followers(url, args, expected):
    procs = min(args.client_processes, args.followers)
    share = [
        args.followers // procs + (1 if i < args.followers % procs else 0) for i in range(procs)
    ]
    ctx = mp.get_context("spawn")
    ready, results = ctx.Queue(), ctx.Queue()
    barrier = ctx.Barrier(procs + 1)
    clients = [
        ctx.Process(
            target=follower_process,
            args=(url, n, expected, ready, results, barrier, args.deadline),
        )
        for n in share
    ]
    for client in clients:
        client.start()
    return clients, ready, results, barrier


def run_case(name, server_cmd, env, path, cookie, args, raw=False) -> dict:
    servers, proxy, port, ports = start_servers(name, server_cmd, env, args)
    pids = [pid for server in servers for pid in tree(server.pid)]
    clients = []
    try:
        url = f"ws://127.0.0.1:{port}{path}"
        # Warm up (imports, caches, the relay's first subscription) before any reading.
        warm_clients, ready, results, barrier = spawn_followers(url, _Warm(args), 0)
        sum(ready.get(timeout=120) for _ in warm_clients)
        barrier.wait(60)
        for client in warm_clients:
            results.get(timeout=60)
            client.join(timeout=30)
        time.sleep(1)
        rss0 = sum(rss_kib(pid) for pid in pids)
        expected = 0 if args.memory else args.events
        started = time.monotonic()
        clients, ready, results, barrier = spawn_followers(url, args, expected)
        connected = sum(ready.get(timeout=300) for _ in clients)
        connect_s = time.monotonic() - started
        time.sleep(2)  # let connection-time work (presence) settle
        rss1 = sum(rss_kib(pid) for pid in pids)
        cpu_pids = pids + nginx_pids(proxy)
        cpu0, t0 = [cpu_seconds(p) for p in cpu_pids], time.monotonic()
        time.sleep(args.idle_seconds)
        idle = [cpu_seconds(p) - c for p, c in zip(cpu_pids, cpu0, strict=True)]
        idle_s = time.monotonic() - t0
        row = {
            "case": name,
            "workers": args.workers,
            "proxy": "none" if proxy is None else "nginx",
            "followers": args.followers,
            "connected": connected,
            "connect_s": round(connect_s, 1),
            "rss_before_kib": rss0,
            "rss_after_kib": rss1,
            "kib_per_follower": round((rss1 - rss0) / max(connected, 1), 1),
            "idle_cpu_pct": round(100 * sum(idle[: len(pids)]) / idle_s, 1),
        }
        if args.memory:
            barrier.wait(60)
            for _ in clients:
                results.get(timeout=60)
            return row
        barrier.wait(60)
        cpu0, t0 = [cpu_seconds(p) for p in cpu_pids], time.monotonic()
        urls = [f"ws://127.0.0.1:{p}{path}" for p in ports] if raw else [url]
        acks = asyncio.run(publish(urls, cookie, args.events, args.interval))
        latencies, client_cpu = [], 0.0
        for _ in clients:
            got, cpu = results.get(timeout=args.deadline + 60)
            latencies += got
            client_cpu += cpu
        busy = [cpu_seconds(p) - c for p, c in zip(cpu_pids, cpu0, strict=True)]
        busy_s = time.monotonic() - t0
    finally:
        for client in clients:
            client.join(timeout=30)
            if client.is_alive():
                client.kill()
        for process in [*([proxy] if proxy else []), *servers]:
            stop(process)
    latencies.sort()
    expected = args.followers * args.events

    def pct(p):
        return (
            latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else None
        )

    row.update(
        {
            "events": args.events,
            "acks": acks,
            "delivered": len(latencies),
            "delivery_ratio": round(len(latencies) / expected, 4),
            "p50_ms": pct(50),
            "p95_ms": pct(95),
            "p99_ms": pct(99),
            "max_ms": latencies[-1] if latencies else None,
            "mean_ms": statistics.fmean(latencies) if latencies else None,
            "publish_cpu_pct": round(100 * sum(busy[: len(pids)]) / busy_s, 1),
            "proxy_cpu_pct": round(100 * sum(busy[len(pids) :]) / busy_s, 1),
            "client_cpu_s": round(client_cpu, 1),
        }
    )
    return row


class _Warm:
    """Arguments of the warm-up crowd: a few followers, connected then closed."""

    def __init__(self, args):
        self.followers = min(20, args.followers)
        self.client_processes = 1
        self.deadline = 30


def fmt(row):
    def ms(v):
        return "-" if v is None else f"{v:7.1f}"

    head = (
        f"{row['case']:<26} W={row['workers']} {row['proxy']:<5} N={row['followers']:<5} "
        f"conn={row['connected']:<5} "
    )
    memory = (
        f"RSS {row['rss_before_kib'] // 1024}->{row['rss_after_kib'] // 1024} MiB "
        f"= {row['kib_per_follower']} KiB/follower  idle CPU={row['idle_cpu_pct']}%"
    )
    if "p99_ms" not in row:
        return head + memory
    return head + (
        f"deliv={row['delivery_ratio']:.4f} p50={ms(row['p50_ms'])} p95={ms(row['p95_ms'])} "
        f"p99={ms(row['p99_ms'])} max={ms(row['max_ms'])} ms  publish CPU: server "
        f"{row['publish_cpu_pct']}% proxy {row['proxy_cpu_pct']}% clients "
        f"{row['client_cpu_s']} s  {memory}"
    )


def server_commands() -> dict:
    python = sys.executable
    app = "quitodecide.asgi:application"
    uvicorn = [python, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", "{port}"]
    uvicorn += ["--no-access-log", "--lifespan", "off"]
    return {
        # deploy/asgi-worker: the README's production command (uvicorn, websockets-sansio,
        # no permessage-deflate), run with this interpreter.
        "production": ["env", f"PYTHON={python}", str(ROOT / "deploy" / "asgi-worker"), "{port}"],
        # The production command before the comparison of 2026-12-02: daphne drops a
        # handshake the application has not accepted within 5 s by default, and a crowd
        # joining at once queues longer.
        "daphne": [
            python, "-m", "daphne", "-b", "127.0.0.1", "-p", "{port}",
            "--websocket_connect_timeout", "60", app,
        ],
        "uvicorn-websockets": [*uvicorn, "--ws", "websockets"],
        "uvicorn-sansio": [*uvicorn, "--ws", "websockets-sansio"],
        # The same without permessage-deflate (every client offers it; frames are small JSON,
        # so compression buys little and costs a zlib context per follower and CPU per frame).
        "uvicorn-sansio-plain": [
            *uvicorn, "--ws", "websockets-sansio", "--ws-per-message-deflate", "false",
        ],
        "uvicorn-wsproto": [*uvicorn, "--ws", "wsproto"],
        "granian": [
            python, "-m", "granian", "--interface", "asgi", "--host", "127.0.0.1",
            "--port", "{port}", "--workers", "1", "--no-access-log", "--log-level", "warning", app,
        ],
    }  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument(
        "--interval", type=float, default=1.0, help="seconds between events (an assembly's pace)"
    )
    parser.add_argument("--workers", type=int, default=1, help="ASGI worker processes")
    parser.add_argument(
        "--no-proxy", action="store_true", help="followers connect to the one worker directly"
    )
    parser.add_argument(
        "--memory", action="store_true", help="idle followers only: server RSS per follower"
    )
    parser.add_argument("--client-processes", type=int, default=4)
    parser.add_argument("--idle-seconds", type=float, default=10)
    parser.add_argument("--deadline", type=float, default=120, help="max seconds to wait")
    parser.add_argument("--layers", default="pubsub")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--server",
        "--servers",
        dest="servers",
        default=DEFAULT_SERVER,
        help="ASGI servers to compare: " + ",".join(server_commands()),
    )
    args = parser.parse_args()
    # Each follower is a descriptor in a client, and two in the proxy: raise the soft limit.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3")
    database_url = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-live.sqlite3'}?conn_max_age=60"
    )
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}"
        f", load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    print(f"database: {database_url.split('@')[-1]}  redis: {redis_url}")
    print(
        f"workers: {args.workers}, "
        + ("direct (no proxy)" if args.no_proxy else f"behind nginx ({NGINX_CONF.name})")
    )
    info = prepare(database_url, redis_url)
    path = f"/ws/asambleas/{info['assembly']}/"
    rows = []
    commands = server_commands()
    for server in [s for s in args.servers.split(",") if s]:
        for key in [k for k in args.layers.split(",") if k]:
            env = server_env(database_url, redis_url, LAYERS[key])
            row = run_case(f"{server}+{key}", commands[server], env, path, info["cookie"], args)
            print(fmt(row), flush=True)
            rows.append(row)
    if not args.no_baseline:
        # The same W processes behind the same proxy; the publisher sends to each of them.
        cmd = [sys.executable, str(ROOT / "benches/live/raw_server.py"), "{port}"]
        row = run_case("raw websockets", cmd, dict(os.environ), path, "", args, raw=True)
        print(fmt(row), flush=True)
        rows.append(row)
        base = row.get("p99_ms")
        for other in rows[:-1]:
            if base and other.get("p99_ms"):
                other["p99_vs_raw"] = round(other["p99_ms"] / base, 1)
                print(f"{other['case']}: p99 is {other['p99_vs_raw']}x the raw baseline")
    kind = "memory" if args.memory else f"w{args.workers}"
    out = ROOT / "var" / f"bench-live-{args.followers}-{kind}.json"
    out.write_text(json.dumps(rows, indent=2))
    print(f"results written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
