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


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language: a request with the English cookie
    activates English in the thread (as Django's LocaleMiddleware does), and a service
    called directly by a later test would otherwise answer in English."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the territory once into the test database; each test's transaction is rolled
    back, so every test starts from it. (Transactional tests, which flush the database,
    run last and load it again themselves.)"""
    with django_db_blocker.unblock():
        territory_load()


@pytest.fixture
def territory(db):
    """The real territory of Quito, with its zone pages and staff groups (idempotent load)."""
    return territory_load()
