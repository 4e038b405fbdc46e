"""Sending events to the followers of an assembly through the channel layer.

An event is serialised once, here, for everyone (and once more for staff when it has a
staff payload); consumers forward the text as is and never query the database per event
(except to fill a gap, see consumers.py)."""

import asyncio
import json

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from .models import AssemblyEvent

_pending: set = set()


def group_name(assembly_id: int) -> str:
    return f"assembly.{assembly_id}"


def event_frame(event: AssemblyEvent, *, staff: bool = False) -> str:
    payload = event.staff_payload if staff and event.staff_payload is not None else event.payload
    return json.dumps(
        {
            "type": "event",
            "assembly": event.assembly_id,
            "seq": event.seq,
            "event": event.type,
            "payload": payload,
            "at": event.created_at.isoformat(),
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def group_message(event: AssemblyEvent) -> dict:
    return {
        "type": "assembly.event",
        "seq": event.seq,
        "public": event_frame(event),
        "staff": event_frame(event, staff=True) if event.staff_payload is not None else None,
    }


def send_event(event: AssemblyEvent) -> None:
    """Called after commit. A failure to reach the layer loses nothing: followers fill the
    gap from the database on the next event, or on reconnect."""
    layer = get_channel_layer()
    if layer is None:
        return
    group, message = group_name(event.assembly_id), group_message(event)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        try:
            async_to_sync(layer.group_send)(group, message)
        except RuntimeError:
            # The interpreter is exiting (a worker's last tally, sent by tally.py's thread
            # after the main thread ended): asgiref's executor takes no more work, a loop of
            # this thread's own still can. A second delivery would be dropped by its seq.
            asyncio.run(layer.group_send(group, message))
    else:  # called from a thread that runs an event loop itself: schedule, don't block it
        task = loop.create_task(layer.group_send(group, message))
        _pending.add(task)
        task.add_done_callback(_pending.discard)
