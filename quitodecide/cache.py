"""Django's Redis cache with one connection pool per process (and location).

Django keeps its cache backends per async context (`caches` is an asgiref `Local`), and
each backend builds its own redis-py client and pool. Under ASGI every HTTP request and
every WebSocket consumer runs in a context of its own, so each request opened a new Redis
connection, and each live follower held one for as long as it was connected: 10,000
followers over two workers exceeded Redis's `maxclients` (10,000) and the crowd could not
join (docs/performance.md, "Live assemblies behind nginx"). Here the backends of a process
share one client, whose pool hands connections to whichever thread needs one (redis-py's
pool is thread-safe and reopens itself after a fork).
"""

import threading

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.utils.functional import cached_property

_clients: dict[tuple, object] = {}
_lock = threading.Lock()


class RedisCache(DjangoRedisCache):
    @cached_property
    def _cache(self):
        key = (self._class, tuple(self._servers), repr(sorted(self._options.items())))
        with _lock:
            client = _clients.get(key)
            if client is None:
                client = _clients[key] = self._class(self._servers, **self._options)
            return client
