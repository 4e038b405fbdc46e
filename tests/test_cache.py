"""The Redis cache shares one connection pool per process (quitodecide/cache.py).

Django builds a cache backend per async context; with its own RedisCache each ASGI request
and each live follower opened (and a follower held) a Redis connection of its own."""

import asyncio
import os
import secrets

import pytest
import redis
from django.core.cache import cache, caches
from django.test import override_settings

REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (CI sets it)")


def settings_for(backend: str) -> dict:
    return {
        "default": {
            "BACKEND": backend,
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-cache-{secrets.token_hex(4)}",
        }
    }


def connections_received() -> int:
    return redis.Redis.from_url(REDIS_URL).info("stats")["total_connections_received"]


async def in_many_contexts(count: int) -> list:
    async def one(n):  # each task runs in a context of its own, as each request does
        await cache.aset(f"k{n}", n, 60)
        return await cache.aget(f"k{n}")

    return await asyncio.gather(*(one(n) for n in range(count)))


def test_many_async_contexts_share_a_few_connections():
    with override_settings(CACHES=settings_for("quitodecide.cache.RedisCache")):
        before = connections_received()
        assert asyncio.run(in_many_contexts(60)) == list(range(60))
        opened = connections_received() - before
    # one for the tasks' shared pool, one for connections_received() itself, and a margin
    # for whatever else connects meanwhile; Django's own backend opens one per context.
    assert opened <= 5, opened


def test_each_location_keeps_its_own_pool():
    one, other = settings_for("quitodecide.cache.RedisCache"), dict(settings_for(""))
    other["default"] = {**one["default"], "LOCATION": REDIS_URL.rsplit("/", 1)[0] + "/14"}
    with override_settings(CACHES=one):
        cache.set("where", "first", 60)
        first = caches["default"]._cache
    with override_settings(CACHES=other):
        assert cache.get("where") is None  # another database: not the first one's pool
        assert caches["default"]._cache is not first
    with override_settings(CACHES=one):
        assert cache.get("where") == "first"
        assert caches["default"]._cache is first
