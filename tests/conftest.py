"""Shared fixtures. The suite runs on SQLite + in-memory layer by default, and on
PostgreSQL + Redis when DATABASE_URL and REDIS_URL are set (as CI does)."""

import pytest
from django.core.cache import cache

from territory.services import territory_load


@pytest.fixture(autouse=True)
def _clear_cache():
    # allauth keeps its rate-limit counters in the cache; tests must not share them.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def territory(db):
    """The real territory of Quito, with its zone pages and staff groups."""
    return territory_load()
