"""The assembly WebSocket, through the project's ASGI application (origin check included):
snapshot, deltas, resume, permissions, malformed frames."""

import json

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client

from assemblies import consumers, services
from assemblies.models import AssemblyEvent, Question
from quitodecide.asgi import application

from .conftest import pass_mfa

pytestmark = pytest.mark.django_db
ORIGIN = (b"origin", b"http://127.0.0.1")


@pytest.fixture(autouse=True)
def _keep_test_connection(monkeypatch):
    """Channels closes "old" connections around every database call; on PostgreSQL that
    closes the test's own connection in the middle of its transaction. Real connection
    handling is exercised by test_integration.py (two server processes)."""
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)


@pytest.fixture
def live(monkeypatch):
    """Broadcast synchronously on 'commit' (the test transaction never commits)."""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda fn, robust=False: fn())
    monkeypatch.setattr(consumers, "PRESENCE_DELAY", 0.01)
    consumers._snapshots.clear()  # ids can be reused between rolled-back tests


def cookie_for(user, *, mfa=False):
    client = Client()
    if mfa:
        pass_mfa(client, user)
    else:
        client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


def communicator(assembly, *, since=None, headers=(ORIGIN,)):
    path = f"/ws/asambleas/{assembly.pk}/" + (f"?since={since}" if since is not None else "")
    return WebsocketCommunicator(application, path, headers=list(headers))


async def frames_until(ws, kind, *, limit=20):
    seen = []
    for _ in range(limit):
        frame = json.loads(await ws.receive_from(timeout=2))
        seen.append(frame)
        if frame["type"] == kind:
            return frame, seen
    raise AssertionError(f"no {kind} frame in {seen}")


def run(coro_fn):
    async_to_sync(coro_fn)()


def test_snapshot_then_deltas(assembly, staff, live):
    services.assembly_start(assembly=assembly, actor=staff)

    async def scenario():
        ws = communicator(assembly)
        connected, _ = await ws.connect()
        assert connected
        snapshot = json.loads(await ws.receive_from())
        assert snapshot["type"] == "snapshot"
        assert snapshot["seq"] == 1
        assert snapshot["state"]["assembly"]["status"] == "en_curso"
        assert [i["title"] for i in snapshot["state"]["agenda"]] == [
            "Apertura",
            "Informe",
            "Cierre",
        ]
        await services_async(lambda: services.agenda_advance(assembly=assembly, actor=staff))
        await services_async(
            lambda: services.announcement_post(assembly=assembly, actor=staff, text="Hola")
        )
        first, _ = await frames_until(ws, "event")
        second, _ = await frames_until(ws, "event")
        assert (first["seq"], first["event"]) == (2, "agenda.advanced")
        assert (second["seq"], second["event"]) == (3, "announcement.posted")
        assert second["payload"]["announcement"]["text"] == "Hola"
        presence, _ = await frames_until(ws, "presence")
        assert presence["followers"] >= 1
        await ws.disconnect()

    run(scenario)


async def services_async(fn):
    from channels.db import database_sync_to_async

    return await database_sync_to_async(fn)()


def test_resume_sends_missed_events_in_order_without_duplicates(assembly, staff, live):
    services.assembly_start(assembly=assembly, actor=staff)
    for text in ("uno", "dos", "tres"):
        services.announcement_post(assembly=assembly, actor=staff, text=text)

    async def scenario():
        ws = communicator(assembly, since=1)
        assert (await ws.connect())[0]
        resumed = json.loads(await ws.receive_from())
        assert resumed == {"type": "resumed", "assembly": assembly.pk, "seq": 1}
        got = [json.loads(await ws.receive_from()) for _ in range(3)]
        assert [f["seq"] for f in got] == [2, 3, 4]
        assert [f["payload"]["announcement"]["text"] for f in got] == ["uno", "dos", "tres"]
        # A late duplicate broadcast (seq 3) is dropped; a gap is filled from the database.
        from assemblies.broadcast import group_message

        event3 = await services_async(lambda: AssemblyEvent.objects.get(assembly=assembly, seq=3))
        await ws.send_input({**group_message(event3), "type": "assembly.event"})
        await services_async(
            lambda: [
                AssemblyEvent.objects.create(
                    assembly=assembly, seq=5, type="announcement.posted", payload={}
                ),
                AssemblyEvent.objects.create(
                    assembly=assembly, seq=6, type="announcement.posted", payload={}
                ),
            ]
        )
        event6 = await services_async(lambda: AssemblyEvent.objects.get(assembly=assembly, seq=6))
        await ws.send_input(group_message(event6))
        got = [json.loads(await ws.receive_from()) for _ in range(2)]
        got = [f for f in got if f["type"] == "event"]
        while not await ws.receive_nothing(timeout=0.2):
            frame = json.loads(await ws.receive_from())
            if frame["type"] == "event":
                got.append(frame)
        assert [f["seq"] for f in got] == [5, 6]  # 3 was not sent twice
        await ws.disconnect()

    run(scenario)


def test_too_far_behind_gets_a_fresh_snapshot(assembly, staff, live, monkeypatch):
    from assemblies import selectors

    monkeypatch.setattr(selectors, "MAX_REPLAY", 2)
    services.assembly_start(assembly=assembly, actor=staff)
    for text in ("uno", "dos", "tres"):
        services.announcement_post(assembly=assembly, actor=staff, text=text)

    async def scenario():
        for since in (0, 99):  # too far behind; or ahead of the server (e.g. a restore)
            ws = communicator(assembly, since=since)
            assert (await ws.connect())[0]
            frame = json.loads(await ws.receive_from())
            assert frame["type"] == "snapshot"
            assert frame["seq"] == 4
            assert [a["text"] for a in frame["state"]["announcements"]] == ["tres", "dos", "uno"]
            await ws.disconnect()

    run(scenario)


def test_malformed_and_oversized_frames_get_errors_and_the_socket_stays_open(assembly, live):
    async def scenario():
        ws = communicator(assembly)
        assert (await ws.connect())[0]
        await ws.receive_from()  # snapshot
        for bad, code in [
            ("not json", "malformed"),
            ("[1, 2]", "malformed"),
            ('{"no": "type"}', "malformed"),
            ('{"type": "dance"}', "unknown_type"),
            ('{"type": "resume", "seq": "x"}', "malformed"),
            ("x" * (consumers.MAX_FRAME + 1), "too_large"),
        ]:
            await ws.send_to(text_data=bad)
            frame, _ = await frames_until(ws, "error")
            assert frame["code"] == code, bad
        await ws.send_to(bytes_data=b"\x00\x01")
        frame, _ = await frames_until(ws, "error")
        assert frame["code"] == "malformed"
        await ws.send_to(text_data='{"type": "ping"}')
        frame, _ = await frames_until(ws, "pong")
        assert frame["seq"] == 0
        await ws.disconnect()

    run(scenario)


def test_staff_actions_are_refused_to_others(assembly, staff, other_staff, voter, live):
    services.assembly_start(assembly=assembly, actor=staff)
    action = json.dumps({"type": "action", "action": "announcement.post", "text": "x", "ref": 1})
    refused = [
        (ORIGIN,),  # anonymous
        (ORIGIN, cookie_for(voter)),
        (ORIGIN, cookie_for(other_staff, mfa=True)),
        (ORIGIN, cookie_for(staff)),  # the zone's staff, but without MFA this session
    ]
    staff_cookie = cookie_for(staff, mfa=True)

    async def scenario():
        for headers in refused:
            ws = communicator(assembly, headers=headers)
            assert (await ws.connect())[0]
            await ws.receive_from()
            await ws.send_to(text_data=action)
            frame, _ = await frames_until(ws, "error")
            assert (frame["code"], frame["ref"]) == ("forbidden", 1)
            await ws.disconnect()
        ws = communicator(assembly, headers=(ORIGIN, staff_cookie))
        assert (await ws.connect())[0]
        snapshot = json.loads(await ws.receive_from())
        assert snapshot["staff"] is True
        await ws.send_to(text_data=action)
        # The ack and the event travel separately (the event through the layer): either
        # may come first, and both must come.
        by_type = {}
        for _ in range(20):
            frame = json.loads(await ws.receive_from(timeout=2))
            by_type.setdefault(frame["type"], frame)
            if {"ack", "event"} <= by_type.keys():
                break
        assert by_type["event"]["event"] == "announcement.posted"
        assert by_type["event"]["seq"] == 2
        assert by_type["ack"] == {"type": "ack", "ref": 1, "seq": 2}
        await ws.send_to(text_data='{"type": "action", "action": "poll.close", "poll": 999}')
        frame, _ = await frames_until(ws, "error")
        assert frame["code"] == "malformed"
        await ws.disconnect()

    run(scenario)
    assert AssemblyEvent.objects.filter(assembly=assembly).count() == 2


def test_staff_see_questions_awaiting_moderation_others_do_not(assembly, staff, voter, live):
    staff_cookie = cookie_for(staff, mfa=True)

    async def scenario():
        public = communicator(assembly)
        staff_ws = communicator(assembly, headers=(ORIGIN, staff_cookie))
        for ws in (public, staff_ws):
            assert (await ws.connect())[0]
            await ws.receive_from()
        await services_async(
            lambda: services.question_submit(assembly=assembly, author=voter, text="¿Agua?")
        )
        question = await services_async(lambda: Question.objects.get())
        public_event, _ = await frames_until(public, "event")
        staff_event, _ = await frames_until(staff_ws, "event")
        assert public_event["payload"] == {"questions": [{"id": question.pk, "status": "withheld"}]}
        assert staff_event["payload"]["questions"][0]["text"] == "¿Agua?"
        for ws in (public, staff_ws):
            await ws.disconnect()

    run(scenario)


def test_foreign_origin_is_refused_at_the_handshake(assembly):
    async def scenario():
        ws = communicator(assembly, headers=[(b"origin", b"https://evil.example")])
        connected, _ = await ws.connect()
        assert not connected

    run(scenario)


async def close_code(path: str) -> int:
    """Connect and return the code the server closes with, before sending anything."""
    ws = WebsocketCommunicator(application, path, headers=[ORIGIN])
    connected, _ = await ws.connect()
    # Accepted, so the close code reaches the client (a refused handshake is an HTTP 403,
    # which the client cannot tell from a refused origin).
    assert connected, path
    message = await ws.receive_output(timeout=2)
    assert message["type"] == "websocket.close", message
    await ws.disconnect()
    return message.get("code")


def test_unknown_draft_private_and_impossible_assemblies_close_with_4404(zone_page):
    from wagtail.models import PageViewRestriction

    from .conftest import make_assembly

    draft = make_assembly(zone_page, slug="borrador")
    draft.unpublish()
    private = make_assembly(zone_page, slug="privada")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    paths = [
        "/ws/asambleas/999999/",
        f"/ws/asambleas/{draft.pk}/",
        f"/ws/asambleas/{private.pk}/",
        "/ws/asambleas/0/",
        "/ws/asambleas/" + "9" * 23 + "/",  # beyond bigint: refused before any query
        f"/ws/asambleas/{2**63}/",
        "/ws/asambleas/abc/",
        "/ws/asambleas/12/extra",
        "/ws/asambleas/%C2%B2/",
    ]

    async def scenario():
        codes = {path: await close_code(path) for path in paths}
        assert codes == dict.fromkeys(paths, 4404)

    run(scenario)
