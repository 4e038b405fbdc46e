import time
import types

import pytest


@pytest.fixture(autouse=True)
def frozen_rate_windows(monkeypatch):
    """django-ratelimit counts in fixed windows with a per-key offset, so a test making a
    hundred look-ups can straddle its key's window edge and start counting afresh (a
    flaky pass of the 101st). Within one test the clock of the rate limiter stands
    still; the cache is emptied between tests (tests/conftest.py)."""
    now = time.time()
    monkeypatch.setattr("django_ratelimit.core.time", types.SimpleNamespace(time=lambda: now))
