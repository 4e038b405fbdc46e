"""Coalesced tallies of online votes: at most one `poll.tally` event per poll and delay.

A ballot emits no event of its own. After it commits, `ballot_committed` makes sure that
one tally including it will be emitted: the first ballot of a quiet poll sets a "pending"
marker in the cache (`cache.add`, i.e. Redis SET NX: atomic across worker processes) and
schedules a flush `ASSEMBLIES_TALLY_DELAY` seconds later (0.25 by default); the ballots
committed meanwhile find the marker and do nothing. The flush clears the marker *before*
it reads the counts, then, in its own transaction, locks the live state, reads the counts
and emits one numbered `poll.tally` (the sequence stays gapless). A ballot committed after
the marker was cleared schedules the next flush, so no accepted vote is left out of the
last tally.

The final tally does not depend on this: closing a poll reads the counts under the state's
exclusive lock, after every accepted ballot (services.ballot_cast holds a shared lock), and
`poll.closed` carries them. A flush that finds its poll closed emits nothing.

If a process dies between setting the marker and flushing, the marker expires after
`PENDING_EXPIRY` seconds; until then that poll's followers see no new intermediate tally.

Flushes run on one thread per process, started when something is due and ended when
nothing is (not a daemon: a process that exits still sends its last tally). With a delay of
0 (the test settings) the flush runs at once, in the committing thread: one tally per
ballot and no thread.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import close_old_connections, connections

logger = logging.getLogger(__name__)

DEFAULT_DELAY = 0.25  # seconds: at most four tallies per second and poll
PENDING_EXPIRY = 5  # seconds (the Redis cache rounds to whole seconds)


def _key(poll_id: int) -> str:
    return f"assemblies:tally-pending:{poll_id}"


def delay() -> float:
    return float(getattr(settings, "ASSEMBLIES_TALLY_DELAY", DEFAULT_DELAY))


def ballot_committed(poll_id: int) -> None:
    """Called after a ballot of `poll_id` committed."""
    try:
        first = cache.add(_key(poll_id), 1, timeout=PENDING_EXPIRY)
    except Exception:  # the cache is down: tally now rather than never
        logger.exception("Could not mark the tally of poll %s as pending", poll_id)
        first, wait = True, 0.0
    else:
        wait = delay()
    if not first:
        return  # a flush is pending; it clears the marker before counting, so counts this one
    if wait <= 0:
        flush(poll_id)
    else:
        _scheduler.schedule(poll_id, wait)


def flush(poll_id: int):
    """Emit the current tally of `poll_id` (if it is still open). Returns the event."""
    from . import services  # services imports this module

    try:
        cache.delete(_key(poll_id))  # first: a ballot committed from now on schedules anew
    except Exception:  # it expires by itself
        logger.exception("Could not clear the pending tally of poll %s", poll_id)
    try:
        return services.poll_tally(poll_id)
    except Exception:  # the next ballot or the close sends the counts
        logger.exception("Could not emit the tally of poll %s", poll_id)
        return None


def run_pending() -> None:
    """Flush everything scheduled in this process now (tests, benchmarks)."""
    for poll_id in _scheduler.take_all():
        flush(poll_id)


class _Scheduler:
    def __init__(self):
        self._cond = threading.Condition()
        self._due: dict[int, float] = {}
        self._thread: threading.Thread | None = None

    def schedule(self, poll_id: int, wait: float) -> None:
        with self._cond:
            due = time.monotonic() + wait
            self._due[poll_id] = min(due, self._due.get(poll_id, due))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="assemblies-tally")
                self._thread.start()
            self._cond.notify()

    def take_all(self) -> list[int]:
        with self._cond:
            polls, self._due = list(self._due), {}
            self._cond.notify()
            return polls

    def pending(self) -> dict[int, float]:
        with self._cond:
            return dict(self._due)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until the thread has ended (nothing due); False on timeout."""
        with self._cond:
            thread = self._thread
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    def _next(self) -> int | None:
        with self._cond:
            while True:
                if not self._due:
                    self._thread = None
                    return None
                poll_id, due = min(self._due.items(), key=lambda item: item[1])
                now = time.monotonic()
                if due <= now:
                    del self._due[poll_id]
                    return poll_id
                self._cond.wait(due - now)

    def _run(self) -> None:
        try:
            while (poll_id := self._next()) is not None:
                close_old_connections()  # a broken or expired connection is replaced
                flush(poll_id)
        finally:
            connections.close_all()  # this thread's own connections


_scheduler = _Scheduler()
