"""The per-worker cache of an assembly's public snapshot (`consumers._snapshots`): a crowd
joining while nothing changes shares one state read, but a follower who connects after a
change must get the new state, never the snapshot cached at an older sequence number."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from assemblies import consumers, selectors, services
from quitodecide.asgi import application

pytestmark = pytest.mark.django_db
ORIGIN = (b"origin", b"http://127.0.0.1")


@pytest.fixture(autouse=True)
def _live(monkeypatch):
    # Channels closes "old" connections around every database call, which on PostgreSQL
    # would close the test's own connection in the middle of its transaction.
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)
    # The test transaction never commits: run the broadcasts at once.
    monkeypatch.setattr("django.db.transaction.on_commit", lambda fn, robust=False: fn())
    monkeypatch.setattr(consumers, "PRESENCE_DELAY", 0.01)
    consumers._snapshots.clear()  # page ids can be reused between rolled-back tests
    yield
    consumers._snapshots.clear()


async def first_snapshot(assembly) -> dict:
    """Connect an anonymous follower, return its snapshot frame and hang up."""
    ws = WebsocketCommunicator(application, f"/ws/asambleas/{assembly.pk}/", headers=[ORIGIN])
    connected, _ = await ws.connect()
    assert connected
    frame = json.loads(await ws.receive_from(timeout=2))
    await ws.disconnect()
    assert frame["type"] == "snapshot"
    return frame


def texts(snapshot: dict) -> list[str]:
    return [a["text"] for a in snapshot["state"]["announcements"]]


def test_a_follower_who_connects_after_a_change_sees_it(assembly, staff):
    services.assembly_start(assembly=assembly, actor=staff)

    async def scenario():
        before = await first_snapshot(assembly)
        assert before["seq"] == 1
        assert texts(before) == []
        first_item = before["state"]["current_item"]
        # The snapshot at seq 1 is now cached for this worker.
        assert consumers._snapshots[assembly.pk][0] == 1

        await database_sync_to_async(
            lambda: services.announcement_post(assembly=assembly, actor=staff, text="Receso")
        )()
        await database_sync_to_async(
            lambda: services.agenda_advance(assembly=assembly, actor=staff)
        )()

        after = await first_snapshot(assembly)
        assert after["seq"] == 3
        assert texts(after) == ["Receso"]
        assert after["state"]["current_item"] != first_item
        # And a third follower, with nothing new, is served the refreshed cache.
        again = await first_snapshot(assembly)
        assert (again["seq"], again["state"]) == (after["seq"], after["state"])

    async_to_sync(scenario)()


def test_a_snapshot_cached_at_an_older_seq_is_not_served(assembly, staff):
    services.assembly_start(assembly=assembly, actor=staff)
    seq, state = consumers._public_snapshot(assembly, selectors.current_seq(assembly.pk))
    assert consumers._snapshots[assembly.pk] == (seq, state)

    services.announcement_post(assembly=assembly, actor=staff, text="Se abre la votación")
    current = selectors.current_seq(assembly.pk)
    assert current == seq + 1

    new_seq, new_state = consumers._public_snapshot(assembly, current)
    assert new_seq == current
    assert [a["text"] for a in new_state["announcements"]] == ["Se abre la votación"]
    assert consumers._snapshots[assembly.pk] == (new_seq, new_state)
