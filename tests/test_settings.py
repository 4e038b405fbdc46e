"""Production settings refuse to start without secrets, and pass the deploy check."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "CEDULA_HASH_KEY",
            "EMAIL_URL",
            "REDIS_URL",
            "SITE_BASE_URL",
        }
    }
    env.update(env_overrides)
    return subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--settings=quitodecide.settings.production",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secrets():
    result = run_check({"DATABASE_URL": "sqlite:///:memory:"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "CEDULA_HASH_KEY" in result.stderr
    assert "ALLOWED_HOSTS" in result.stderr
    assert "EMAIL_URL" in result.stderr
    assert "SITE_BASE_URL" in result.stderr


def test_production_passes_the_deploy_check():
    result = run_check(
        {
            "DATABASE_URL": "sqlite:///:memory:",
            "SECRET_KEY": "k" * 20 + "a-long-random-throwaway-secret-for-the-check-0123456789",
            "CEDULA_HASH_KEY": "c" * 16 + "-a-throwaway-cedula-key-for-the-check",
            "ALLOWED_HOSTS": "quitodecide.example",
            "REDIS_URL": "redis://127.0.0.1:6379/15",
            "EMAIL_URL": "smtp+tls://mailer:secret@smtp.quitodecide.example:587",
            "SITE_BASE_URL": "https://quitodecide.example",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRODUCTION_ENV = {
    "DATABASE_URL": "sqlite:///:memory:",
    "SECRET_KEY": "k" * 20 + "a-long-random-throwaway-secret-for-the-check-0123456789",
    "ALLOWED_HOSTS": "quitodecide.example",
    "REDIS_URL": "redis://127.0.0.1:6379/15",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.quitodecide.example:587",
    "SITE_BASE_URL": "https://quitodecide.example",
}


def test_production_refuses_a_short_cedula_hash_key():
    for key in ("x", "throwaway-Zq7", "ñ" * 15 + "x"):  # the last: 31 bytes, 16 characters
        result = run_check({**PRODUCTION_ENV, "CEDULA_HASH_KEY": key})
        assert result.returncode != 0, key
        assert "ImproperlyConfigured" in result.stderr
        assert "CEDULA_HASH_KEY must be a random key of at least 32 bytes" in result.stderr
        assert "throwaway-Zq7" not in result.stderr  # the key itself is never printed


def test_production_refuses_the_example_cedula_hash_key():
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    [line] = [line for line in example.splitlines() if line.startswith("CEDULA_HASH_KEY=")]
    result = run_check({**PRODUCTION_ENV, "CEDULA_HASH_KEY": line.partition("=")[2]})
    assert result.returncode != 0
    assert ".env.example placeholder" in result.stderr


def test_production_accepts_a_32_byte_cedula_hash_key():
    result = run_check({**PRODUCTION_ENV, "CEDULA_HASH_KEY": "ñ" * 16})  # 32 bytes
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_makefile_deploy_check_uses_a_long_random_cedula_key():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "CEDULA_HASH_KEY=$$(head -c 48 /dev/urandom | base64)" in makefile
    assert "CEDULA_HASH_KEY=throwaway" not in makefile


def test_development_settings_pass_the_system_checks():
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "quitodecide.settings.dev"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_reads_the_client_address_behind_the_documented_proxy():
    """Per-address rate limits (allauth's and quitodecide.ratelimit) see the client behind
    the one proxy of the README's topology, and TRUSTED_PROXY_COUNT sets another."""
    probe = (
        "import django; django.setup();"
        "from django.test import RequestFactory;"
        "from quitodecide.ratelimit import client_ip;"
        "r = RequestFactory().get('/', REMOTE_ADDR='10.0.0.2',"
        " HTTP_X_FORWARDED_FOR='203.0.113.9, 198.51.100.7');"
        "print(client_ip(r))"
    )
    secrets = {
        "DJANGO_SETTINGS_MODULE": "quitodecide.settings.production",
        "DATABASE_URL": "sqlite:///:memory:",
        "SECRET_KEY": "s" * 60,
        "CEDULA_HASH_KEY": "c" * 48,
        "ALLOWED_HOSTS": "quitodecide.example",
        "EMAIL_URL": "consolemail://",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SITE_BASE_URL": "https://quitodecide.example",
    }

    def address(**extra):
        inherited = {k: v for k, v in os.environ.items() if k != "TRUSTED_PROXY_COUNT"}
        env = inherited | secrets | extra
        result = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    assert address() == "198.51.100.7"
    assert address(TRUSTED_PROXY_COUNT="0") == "10.0.0.2"


POOL_PROBE = """
import threading, django
django.setup()
from django.db import close_old_connections, connection
pids = []
def request():  # what a request does in its own thread under ASGI
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pids.append(cursor.fetchone()[0])
    close_old_connections()
    connection.close()
for _ in range(8):
    thread = threading.Thread(target=request)
    thread.start()
    thread.join()
print(len(set(pids)))
"""


def _production_probe(code, **extra):
    env = {**os.environ, **PRODUCTION_ENV, "CEDULA_HASH_KEY": "c" * 48, **extra}
    env["DJANGO_SETTINGS_MODULE"] = "quitodecide.settings.production"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_reuses_pooled_postgresql_connections_across_request_threads():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        # SQLite (the embedded default) has no pool: the option is PostgreSQL's only.
        result = _production_probe(
            "import django; django.setup(); from django.conf import settings;"
            "print('pool' in settings.DATABASES['default'].get('OPTIONS', {}))",
            DATABASE_URL="sqlite:///:memory:",
        )
        assert result.stdout.strip() == "False", result.stderr
        return
    # Eight requests, each in a thread of its own: the pool's few connections (two opened at
    # start, one more while they open) serve them all; without the pool each opens its own.
    pooled = _production_probe(POOL_PROBE, DATABASE_URL=url)
    assert pooled.returncode == 0, pooled.stderr
    assert int(pooled.stdout.strip()) <= 3
    unpooled = _production_probe(POOL_PROBE, DATABASE_URL=url, DATABASE_POOL="false")
    assert int(unpooled.stdout.strip()) == 8, unpooled.stderr
    # persistent connections and a pool do not mix: said at start, not at the first request
    both = _production_probe(
        "import django; django.setup()", DATABASE_URL=url.split("?")[0] + "?conn_max_age=60"
    )
    assert both.returncode != 0 and "conn_max_age" in both.stderr
