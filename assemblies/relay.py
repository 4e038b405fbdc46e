"""Per-worker fan-out of an assembly's events.

Each worker process joins an assembly's channel-layer group once, with one channel of its
own, and hands every event to the followers connected to that worker. A broadcast therefore
costs one layer message per worker instead of one per follower; the frame was serialised
once by `broadcast.group_message`. Relays are kept per event loop (a worker runs one).
"""

import asyncio
import logging
import weakref

from .broadcast import group_name

logger = logging.getLogger(__name__)

HANDLERS = {"assembly.event": "assembly_event", "assembly.presence": "assembly_presence"}
# Group membership expires in the layer (a day by default): renew it well before.
RENEW_EVERY = 3600

_relays: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict]" = weakref.WeakKeyDictionary()


class Relay:
    def __init__(self, layer, assembly_id: int):
        self.layer = layer
        self.group = group_name(assembly_id)
        self.followers: set = set()
        self.ready = asyncio.Event()
        self.channel = None
        self.task = asyncio.ensure_future(self._run())
        self.renewal = asyncio.ensure_future(self._renew())

    async def _run(self):
        # The default prefix: channels_redis reads all of a process's channels from one list.
        self.channel = await self.layer.new_channel()
        await self.layer.group_add(self.group, self.channel)
        self.ready.set()
        while True:
            message = await self.layer.receive(self.channel)
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
        await self.ready.wait()
        while True:
            await asyncio.sleep(RENEW_EVERY)
            await self.layer.group_add(self.group, self.channel)


async def join(consumer, assembly_id: int) -> None:
    """Register `consumer` and return once this worker receives the assembly's events.

    Until the consumer calls `flush`, its messages are buffered, so nothing overtakes the
    snapshot it is about to send."""
    consumer.relay_buffer = []
    loop = asyncio.get_running_loop()
    relays = _relays.setdefault(loop, {})
    relay = relays.get(assembly_id)
    if relay is None or relay.task.done():
        relay = relays[assembly_id] = Relay(consumer.channel_layer, assembly_id)
    relay.followers.add(consumer)
    await relay.ready.wait()


def leave(consumer, assembly_id: int) -> None:
    relays = _relays.get(asyncio.get_running_loop(), {})
    relay = relays.get(assembly_id)
    if relay is not None:
        relay.followers.discard(consumer)


async def flush(consumer) -> None:
    """Deliver what arrived while the consumer was sending its snapshot, then go live."""
    buffered, consumer.relay_buffer = consumer.relay_buffer or [], None
    for message in buffered:
        handler = HANDLERS.get(message.get("type"))
        if handler is not None:
            await getattr(consumer, handler)(message)
