"""The physical baseline: a minimal `websockets` broadcast server speaking the same frames as
the assembly socket (snapshot on connect; an action from the publisher becomes an event sent
to every follower). No database, no channel layer, no Django.

    python benches/live/raw_server.py PORT
"""

import asyncio
import json
import sys

from websockets.asyncio.server import broadcast, serve

followers: set = set()
seq = 0


async def handler(ws):
    global seq
    await ws.send(json.dumps({"type": "snapshot", "seq": seq, "state": {}}))
    followers.add(ws)
    try:
        async for message in ws:
            frame = json.loads(message)
            if frame.get("type") == "action":
                seq += 1
                event = json.dumps(
                    {
                        "type": "event",
                        "seq": seq,
                        "event": "announcement.posted",
                        "payload": {"announcement": {"id": seq, "text": frame["text"]}},
                    },
                    separators=(",", ":"),  # the same compact frames as broadcast.py
                )
                broadcast(followers, event)
                await ws.send(json.dumps({"type": "ack", "ref": frame.get("ref"), "seq": seq}))
    finally:
        followers.discard(ws)


async def main(port: int):
    async with serve(handler, "127.0.0.1", port, max_queue=64, ping_interval=None):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
