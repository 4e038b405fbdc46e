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
        if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "CEDULA_HASH_KEY", "EMAIL_URL", "REDIS_URL"}
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


def test_production_passes_the_deploy_check():
    result = run_check(
        {
            "DATABASE_URL": "sqlite:///:memory:",
            "SECRET_KEY": "k" * 20 + "a-long-random-throwaway-secret-for-the-check-0123456789",
            "CEDULA_HASH_KEY": "throwaway",
            "ALLOWED_HOSTS": "quitodecide.example",
            "REDIS_URL": "redis://127.0.0.1:6379/15",
            "EMAIL_URL": "smtp+tls://mailer:secret@smtp.quitodecide.example:587",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
