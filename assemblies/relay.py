"""Per-worker fan-out of an assembly's events.

Each worker process joins an assembly's channel-layer group once, with one channel of its
own, and hands every event to the followers connected to that worker. A broadcast therefore
costs one layer message per worker instead of one per follower; the frame was serialised
once by `broadcast.group_message`. Relays are kept per event loop (a worker runs one).

A relay exists only while it has followers: the consumer joins after it has found the
assembly (so a made-up id costs no relay, no group membership), and the last follower to
leave ends it (group left, tasks cancelled).
"""

import asyncio
import logging
import weakref

from .broadcast import group_name

logger = logging.getLogger(__name__)

HANDLERS = {"assembly.event": "assembly_event", "assembly.presence": "assembly_presence"}
# Group membership expires in the layer (a day by default): renew it well before.
RENEW_EVERY = 3600
RETRY_DELAY = 1.0  # seconds before receiving again after the layer failed

_relays: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()


class RelayUnavailable(Exception):
    """The channel layer refused the subscription (e.g. Redis is down)."""


class Relay:
    def __init__(self, layer, assembly_id: int, registry: dict):
        self.layer = layer
        self.assembly_id = assembly_id
        self.group = group_name(assembly_id)
        self.registry = registry
        self.followers: set = set()
        self.ready = asyncio.Event()
        self.channel = None
        self.renewal: asyncio.Task | None = None
        self.task = asyncio.ensure_future(self._run())

    async def _run(self):
        # The default prefix: channels_redis reads all of a process's channels from one list.
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self.ready.set()
        self.renewal = asyncio.ensure_future(self._renew())
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except Exception:  # a lost connection to Redis: keep the followers, try again
                logger.exception("Relay of %s could not receive; retrying", self.group)
                await asyncio.sleep(RETRY_DELAY)
                continue
            handler = HANDLERS.get(message.get("type"))
            if handler is None:
                continue
            for consumer in list(self.followers):
                if consumer.relay_buffer is not None:  # still sending its snapshot
                    consumer.relay_buffer.append(message)
                    continue
                try:
                    await getattr(consumer, handler)(message)
                except Exception:  # one broken socket must not starve the others
                    logger.exception("Could not deliver %s to a follower", message["type"])

    async def _renew(self):
        while True:
            await asyncio.sleep(RENEW_EVERY)
            try:
                await self.layer.group_add(self.group, self.channel)
            except Exception:
                logger.exception("Could not renew the membership of %s", self.group)

    async def wait_ready(self) -> None:
        """Return once the relay receives the group's messages; raise if it cannot."""
        if self.ready.is_set():
            return
        waiter = asyncio.ensure_future(self.ready.wait())
        try:
            await asyncio.wait({waiter, self.task}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
        if not self.ready.is_set():
            error = None if self.task.cancelled() else self.task.exception()
            raise RelayUnavailable(self.group) from error

    async def stop(self) -> None:
        """Leave the group, then cancel the tasks (messages already on their way to our
        channel are still taken off it until then)."""
        if self.registry.get(self.assembly_id) is self:
            del self.registry[self.assembly_id]
        subscribed = self.ready.is_set()
        if subscribed:
            await self._discard()
        tasks = [task for task in (self.task, self.renewal) if task is not None]
        for task in tasks:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        for result in results:
            if isinstance(result, Exception):
                logger.warning("Relay of %s had failed: %r", self.group, result)
        if not subscribed and self.channel is not None:
            await self._discard()  # cancelled while subscribing: the add may have gone through

    async def _discard(self) -> None:
        try:
            await self.layer.group_discard(self.group, self.channel)
        except Exception:  # the membership then expires in the layer by itself
            logger.exception("Could not leave %s", self.group)


def active() -> dict:
    """The relays of the running event loop, by assembly id (for tests and diagnostics)."""
    return dict(_relays.get(asyncio.get_running_loop(), {}))


async def join(consumer, assembly_id: int) -> None:
    """Register `consumer` and return once this worker receives the assembly's events.

    Until the consumer calls `flush`, its messages are buffered, so nothing overtakes the
    snapshot it is about to send. Raises `RelayUnavailable` when the layer cannot be
    reached (the consumer is then not registered)."""
    consumer.relay_buffer = []
    registry = _relays.setdefault(asyncio.get_running_loop(), {})
    relay = registry.get(assembly_id)
    if relay is None or relay.task.done():
        relay = registry[assembly_id] = Relay(consumer.channel_layer, assembly_id, registry)
    relay.followers.add(consumer)
    consumer.current_relay = relay
    try:
        await relay.wait_ready()
    except BaseException:
        await leave(consumer)
        raise


async def leave(consumer) -> None:
    """Unregister `consumer`; the last follower of a relay ends it."""
    relay = getattr(consumer, "current_relay", None)
    if relay is None:
        return
    consumer.current_relay = None
    relay.followers.discard(consumer)
    if not relay.followers:
        await relay.stop()


async def flush(consumer) -> None:
    """Deliver what arrived while the consumer was sending its snapshot, then go live."""
    buffered, consumer.relay_buffer = consumer.relay_buffer or [], None
    for message in buffered:
        handler = HANDLERS.get(message.get("type"))
        if handler is not None:
            await getattr(consumer, handler)(message)
