"""A worker's last broadcast still leaves when the process is exiting: tally.py flushes on a
non-daemon thread, which runs after the interpreter has begun to shut down; asgiref's
executor then refuses work ("cannot schedule new futures after interpreter shutdown")."""

import asyncio
import os
import secrets
import sys
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from assemblies.broadcast import group_name

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = pytest.mark.skipif(not REDIS_URL, reason="needs REDIS_URL (CI sets it)")

EXITING = """
import sys, threading, time
import django
django.setup()
from django.utils import timezone
from assemblies import broadcast
from assemblies.models import AssemblyEvent

event = AssemblyEvent(
    assembly_id=int(sys.argv[1]), seq=7, type="poll.tally", payload={"last": True},
    created_at=timezone.now(),
)
# As tally's flusher: a thread that sends after the main thread has finished.
threading.Thread(target=lambda: (time.sleep(0.5), broadcast.send_event(event))).start()
"""


def test_the_last_event_of_an_exiting_process_is_broadcast():
    assembly_id = 10**12 + secrets.randbelow(10**6)  # no real assembly's group
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "quitodecide.settings.test"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("DATABASE_URL", None)  # no query is made

    async def scenario():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(group_name(assembly_id), channel)
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                EXITING,
                str(assembly_id),
                cwd=ROOT,
                env=env,
                stderr=asyncio.subprocess.PIPE,
            )
            message = await asyncio.wait_for(layer.receive(channel), 30)
            _out, errors = await asyncio.wait_for(process.communicate(), 30)
        finally:
            await layer.group_discard(group_name(assembly_id), channel)
        return message, process.returncode, errors.decode()

    message, returncode, errors = async_to_sync(scenario)()
    assert (message["type"], message["seq"]) == ("assembly.event", 7)
    assert '"last":true' in message["public"]
    assert returncode == 0, errors
