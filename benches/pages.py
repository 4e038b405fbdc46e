"""Benchmark: requests per second of cached anonymous pages against a bare Django view.

Run with `make bench-pages` (REDIS_URL defaults to redis://127.0.0.1:6379/6 there; this
script empties that database first). It builds a fresh SQLite database with the demo data
of `make setup` (migrate and the demo loaders), then serves the site with the production
settings (benches/pagecache/settings.py: quitodecide.settings.production plus a bench-only
URLconf holding the bare view, no HTTPS redirect, no static manifest) under one ASGI server
process, as in the README's production topology (deploy/asgi-worker by default; --server
daphne, uvicorn (its defaults) or granian), and loads it from `wrk` on 127.0.0.1.

Measured, in the same run and server set-up:
- the bare view: a trivial HttpResponse through the full middleware stack and routing;
- home, a zone page, a consultation page and the works list, page cache on (every request
  a hit: no query, fresh nonce and CSRF token), then the same with the cache off
  (PAGE_CACHE=0, a second server process) for context.
Aim (issue #15): cached pages at least half the bare view's requests per second.

Options: --server, --duration (s per URL), --connections, --db (SQLite file; --reuse-db
keeps a database already set up), --port. Everything it starts is stopped on exit.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
LOADERS = [
    ["migrate", "--no-input", "-v", "0"],
    ["load_territory"],
    ["load_demo"],
    ["load_demo_consultations"],
    ["load_demo_budgets"],
    ["load_demo_assemblies"],
    ["load_demo_works"],
    ["load_opengov"],
    ["load_demo_council"],
    ["load_demo_actors"],
    ["load_demo_surveys"],
    ["load_demo_training"],
]
BARE = "/api/_bench/bare/"
DISCOVER = """
import json
from territory.models import ZonePage
from consultations.models import ConsultationPage
zone = ZonePage.objects.live().order_by("path").first()
consultation = ConsultationPage.objects.live().order_by("-opens_at").first()
print(json.dumps({"zone": zone.url, "consultation": consultation.url}))
"""


def base_env(args, tmp):
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "benches.pagecache.settings",
            "PYTHONPATH": str(ROOT),
            "SECRET_KEY": "bench-pages-" + "x" * 50,
            "CEDULA_HASH_KEY": "bench-pages-cedula-key-" + "y" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"sqlite:///{args.db}",
            "REDIS_URL": env.get("REDIS_URL") or "redis://127.0.0.1:6379/6",
            "EMAIL_URL": "consolemail://",
            "SITE_BASE_URL": f"http://127.0.0.1:{args.port}",
            "MEDIA_ROOT": str(Path(tmp) / "media"),
            "PRIVATE_ROOT": str(Path(tmp) / "private"),
            "LOG_LEVEL": "ERROR",
        }
    )
    return env


def manage(env, *command, timeout=600):
    subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *command],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=timeout,
        stdout=subprocess.DEVNULL,
    )


def server_command(name, port):
    app = "quitodecide.asgi:application"
    if name == "production":  # the README's worker command (uvicorn, websockets-sansio)
        return ["env", f"PYTHON={PYTHON}", str(ROOT / "deploy" / "asgi-worker"), str(port)]
    if name == "daphne":
        return [str(VENV_BIN / "daphne"), "-v", "0", "-b", "127.0.0.1", "-p", str(port), app]
    if name == "uvicorn":
        return [
            str(VENV_BIN / "uvicorn"),
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
    if name == "granian":
        return [
            str(VENV_BIN / "granian"),
            "--interface",
            "asgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--no-access-log",
            app,
        ]
    raise SystemExit(f"unknown server {name}")


class Server:
    def __init__(self, args, env, cache_on):
        self.env = {**env, "PAGE_CACHE": "1" if cache_on else "0"}
        self.command = server_command(args.server, args.port)
        self.base = f"http://127.0.0.1:{args.port}"
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: stopped as a whole
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit("server exited: " + self.process.stderr.read().decode()[-2000:])
            try:
                if fetch(self.base + BARE)[0] == 200:
                    return self
            except OSError:
                time.sleep(0.3)
        raise SystemExit("server did not start within 60 s")

    def __exit__(self, *exc):
        stop(self.process)


def stop(process):
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (127.0.0.1)
        headers = {name.lower(): value for name, value in response.headers.items()}
        return response.status, headers, response.read()


def wrk(url, args):
    output = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--timeout",
            "10s",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=args.duration + 30,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if errors or socket_errors:
        raise SystemExit(f"errors loading {url}:\n{output}")
    return rate


def measure(args, env, urls, cache_on):
    rates = {}
    with Server(args, env, cache_on) as server:
        for name, path in urls.items():
            status, headers, body = fetch(server.base + path)
            assert status == 200, (path, status)
            if cache_on and path != BARE:
                status, headers, body = fetch(server.base + path)
                assert headers.get("x-page-cache") == "hit", (path, headers)
            wrk(server.base + path, argparse.Namespace(**{**vars(args), "duration": 1}))
            rates[name] = wrk(server.base + path, args)
    return rates


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--server", choices=["production", "daphne", "uvicorn", "granian"], default="production"
    )
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--port", type=int, default=8791)
    # tmpfs: on disk, SQLite's fsyncs make the demo set-up minutes longer on a busy machine.
    parser.add_argument("--db", default="/dev/shm/bench_pages_cache.sqlite3")  # noqa: S108
    parser.add_argument("--reuse-db", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="bench_pages_")
    try:
        env = base_env(args, tmp)
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        if not (args.reuse_db and Path(args.db).exists()):
            Path(args.db).unlink(missing_ok=True)
            for command in LOADERS:
                manage(env, *command)
        found = subprocess.run(
            [PYTHON, str(ROOT / "manage.py"), "shell", "-c", DISCOVER],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        pages = json.loads(found.strip().splitlines()[-1])
        urls = {
            "bare view": BARE,
            "home": "/",
            "zone page": pages["zone"],
            "consultation": pages["consultation"],
            "works list": "/obras/",
        }
        print(f"setup {time.monotonic() - started:.0f} s; {uptime()}")
        cached = measure(args, env, urls, cache_on=True)
        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
        uncached = measure(args, env, urls, cache_on=False)
        print(
            f"\nserver: {args.server}, 1 process; wrk -t1 -c{args.connections} "
            f"-d{args.duration}s; SQLite; Redis cache"
        )
        head = f"{'URL':<14} {'path':<44} {'cached r/s':>11} {'x bare':>7}"
        print(f"{head} {'uncached':>9} {'x bare':>7}")
        for name, path in urls.items():
            print(
                f"{name:<14} {path:<44} {cached[name]:>11.0f} "
                f"{cached[name] / cached['bare view']:>7.2f} {uncached[name]:>9.0f} "
                f"{uncached[name] / uncached['bare view']:>7.2f}"
            )
        worst = min(cached[n] / cached["bare view"] for n in urls if n != "bare view")
        print(f"\nworst cached page / bare view: {worst:.2f} (aim: at least 0.5)")
        print(f"total {time.monotonic() - started:.0f} s; {uptime()}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
