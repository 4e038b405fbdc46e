"""The assembly WebSocket, through the project's ASGI application (origin check included):
snapshot, deltas, resume, permissions, malformed frames."""

import json
from urllib.parse import quote

import hypothesis
import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from assemblies import consumers, services
from assemblies.models import AssemblyEvent, Question
from quitodecide.asgi import application

from .conftest import pass_mfa

pytestmark = pytest.mark.django_db
ORIGIN = (b"origin", b"http://127.0.0.1")
HOST = (b"host", b"127.0.0.1:8000")  # as a browser sends it (the page's own host and port)


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


def test_residents_vote_over_the_socket_with_the_forms_rules(
    assembly, staff, other_staff, voter, unverified, zone_page, other_zone_page, live
):
    """A vote frame takes the vote form's path (views.cast_vote): one ballot per verified
    resident, answers in the form's JSON shape, the session as it is now (a socket opened
    before a logout votes for nobody)."""
    from django.contrib.sessions.models import Session

    from assemblies.models import Ballot

    from .conftest import live_poll, make_assembly, verified_resident

    poll = live_poll(assembly, staff)
    yes, no = poll.options.order_by("position")
    foreign = live_poll(make_assembly(other_zone_page, slug="otra"), other_staff)
    foreign_option = foreign.options.first().pk
    voter_cookie, leaving_cookie, resident, english = (
        cookie_for(person) for person in (voter, *(verified_resident(zone_page) for _ in range(3)))
    )
    # the language switch's cookie beside the session's, as the browser sends both
    english = (b"cookie", english[1] + f"; {settings.LANGUAGE_COOKIE_NAME}=en".encode())
    unverified_cookie = cookie_for(unverified)

    def vote(**fields):
        return json.dumps({"type": "vote", "poll": poll.pk, "option": yes.pk, **fields})

    async def answer(headers, text, *, before=None):
        ws = communicator(assembly, headers=headers)
        assert (await ws.connect())[0]
        await ws.receive_from()  # the snapshot
        if before:
            await database_sync_to_async(before)()
        frame = await reply_to(ws, text)
        await still_open(ws)
        await ws.disconnect()
        return frame

    async def scenario():
        done = await answer((ORIGIN, HOST, voter_cookie), vote(ref="v1"))
        assert (done["type"], done["ref"], done["ok"], done["code"]) == ("answer", "v1", True, "ok")
        assert done["message"] == "Su voto quedó registrado."
        assert done["payload"]["voted"] == poll.pk
        assert done["payload"]["poll"]["online_total"] == 1
        again = await answer((ORIGIN, HOST, voter_cookie), vote(option=no.pk, ref=2))
        assert (again["ok"], again["code"], again["ref"]) == (False, "rejected", 2)
        anonymous = await answer((ORIGIN, HOST, HOST), vote())
        assert anonymous["code"] == "login"
        assert anonymous["login_url"].startswith("/cuenta/")
        assert (await answer((ORIGIN, HOST, unverified_cookie), vote()))["code"] == "forbidden"
        for bad in ({"option": "1"}, {"option": foreign_option}, {"poll": None}):
            assert (await answer((ORIGIN, HOST, resident), vote(**bad)))["code"] == "invalid", bad
        refused = await answer((ORIGIN, HOST, resident), vote(poll=foreign.pk))
        assert refused["code"] == "rejected"
        in_english = await answer((ORIGIN, HOST, english), vote(option=no.pk))
        assert (in_english["code"], in_english["message"]) == ("ok", "Your vote has been recorded.")
        assert (await answer((ORIGIN, HOST, voter_cookie), vote()))["message"] == (
            "Usted ya votó en esta pregunta."
        )  # the site's language without the cookie, whatever the socket before did
        logged_out = await answer(
            (ORIGIN, HOST, leaving_cookie), vote(), before=lambda: Session.objects.all().delete()
        )
        assert logged_out["code"] == "login"

    run(scenario)
    assert Ballot.objects.filter(poll=poll).count() == 2  # the voter's, the English one's
    assert Ballot.objects.get(voter=voter).option_id == yes.pk
    assert not Ballot.objects.filter(poll=foreign).exists()


def test_socket_votes_come_from_this_site_at_a_bounded_rate_to_the_page_as_it_is(
    assembly, staff, zone_page, live
):
    """A vote is final: the page that sends it must be this site's own (the handshake's
    check takes any of ALLOWED_HOSTS), one socket sends at most VOTE_FRAMES a window, and a
    page unpublished since the socket opened takes no vote."""
    from assemblies.models import Ballot

    from .conftest import live_poll, verified_resident

    poll = live_poll(assembly, staff)
    option = poll.options.first().pk
    cookies = [cookie_for(verified_resident(zone_page)) for _ in range(3)]
    text = json.dumps({"type": "vote", "poll": poll.pk, "option": option, "ref": "r"})
    sibling = (b"origin", b"http://localhost")  # allowed by ALLOWED_HOSTS, not this host

    async def answers(headers, frames, *, before=None):
        ws = communicator(assembly, headers=headers)
        assert (await ws.connect())[0]
        await ws.receive_from()
        if before:
            await database_sync_to_async(before)()
        got = [await reply_to(ws, frame) for frame in frames]
        await still_open(ws)
        await ws.disconnect()
        return [(frame["type"], frame["code"], frame.get("ref")) for frame in got]

    async def scenario():
        assert await answers((sibling, HOST, cookies[0]), [text]) == [("answer", "forbidden", "r")]
        assert await answers((ORIGIN, cookies[0]), [text]) == [("answer", "forbidden", "r")]
        bad = json.dumps({"type": "vote", "poll": poll.pk, "option": "x"})
        limit = consumers.VOTE_FRAMES
        codes = [
            code for _t, code, _r in await answers((ORIGIN, HOST, cookies[1]), [bad] * (limit + 1))
        ]
        assert codes == ["invalid"] * limit + ["rate"]
        gone = await answers((ORIGIN, HOST, cookies[2]), [text], before=assembly.unpublish)
        assert gone == [("answer", "rejected", "r")]

    run(scenario)
    assert not Ballot.objects.filter(poll=poll).exists()


def test_staff_actions_follow_the_session_as_it_is_now(assembly, staff, live):
    """A staff socket acts only while its session still holds the login and its MFA step:
    after a logout elsewhere (the session deleted) the same open socket is refused."""
    from django.contrib.sessions.models import Session

    services.assembly_start(assembly=assembly, actor=staff)
    staff_cookie = cookie_for(staff, mfa=True)
    post = json.dumps({"type": "action", "action": "announcement.post", "text": "x", "ref": 7})

    async def scenario():
        ws = communicator(assembly, headers=(ORIGIN, staff_cookie))
        assert (await ws.connect())[0]
        assert json.loads(await ws.receive_from())["staff"] is True
        assert (await reply_to(ws, post))["type"] == "ack"
        await database_sync_to_async(lambda: Session.objects.all().delete())()
        refused = await reply_to(ws, post)
        assert (refused["type"], refused["code"], refused["ref"]) == ("error", "forbidden", 7)
        await still_open(ws)
        await ws.disconnect()

    run(scenario)
    announced = AssemblyEvent.objects.filter(assembly=assembly, type="announcement.posted")
    assert announced.count() == 1


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


# --- Input robustness: the URL and every frame ------------------------------------------

REPLIES = {"error", "pong", "ack", "resumed", "snapshot", "answer"}  # one per client frame
CLIENT_ERRORS = {"malformed", "too_large", "unknown_type", "forbidden", "rejected"}


async def reply_to(ws, text: str) -> dict:
    """Send one frame and return the server's answer to it, skipping events and presence
    that travel in between. Every frame the server sends must be UTF-8 JSON."""
    await ws.send_input({"type": "websocket.receive", "text": text})  # "" too
    for _ in range(50):
        raw = await ws.receive_from(timeout=5)  # fails if the socket was closed instead
        raw.encode("utf-8")  # a lone surrogate echoed back could not be sent
        frame = json.loads(raw)
        if frame["type"] in REPLIES:
            return frame
    raise AssertionError(f"no answer to {text!r}")


async def still_open(ws):
    assert (await reply_to(ws, '{"type": "ping"}'))["type"] == "pong"


def test_since_that_is_not_a_bigint_gets_a_snapshot(assembly, staff, live):
    services.assembly_start(assembly=assembly, actor=staff)

    async def scenario():
        # "²" passes str.isdigit() and fails int(); 30 digits overflow a bigint.
        for since in ("%C2%B2", "9" * 30, str(2**63), "-1", "1.0", "", "0x1", "%00", " 1"):
            ws = communicator(assembly, since=since)
            assert (await ws.connect())[0], since
            frame = json.loads(await ws.receive_from())
            assert (frame["type"], frame["seq"]) == ("snapshot", 1), since
            await still_open(ws)
            await ws.disconnect()
        ws = communicator(assembly, since="0001")  # ASCII digits are a since, zeros or not
        assert (await ws.connect())[0]
        assert json.loads(await ws.receive_from()) == {
            "type": "resumed",
            "assembly": assembly.pk,
            "seq": 1,
        }
        await ws.disconnect()

    run(scenario)


BAD_IDS = [
    "1e400",  # float("inf") once parsed: int() raised OverflowError and closed with 1011
    "-1e400",
    "NaN",
    "1.0",
    "2.5",
    "true",
    "false",
    '"1"',
    "[1]",
    '{"id": 1}',
    "0",
    "-3",
    str(2**63),
    "9" * 400,
]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_ids_and_sequence_numbers_must_be_integers_in_range(assembly, staff, live, bad):
    services.assembly_start(assembly=assembly, actor=staff)
    staff_cookie = cookie_for(staff, mfa=True)
    frames = [
        f'{{"type": "action", "action": "poll.close", "poll": {bad}, "ref": "p"}}',
        f'{{"type": "action", "action": "agenda.advance", "item": {bad}, "ref": "a"}}',
        f'{{"type": "action", "action": "question.moderate", "question": {bad},'
        f' "moderation": "approve", "ref": "q"}}',
    ]
    if bad not in ("0",):  # resume accepts seq 0 (replay from the start)
        frames.append(f'{{"type": "resume", "seq": {bad}}}')

    async def scenario():
        ws = communicator(assembly, headers=(ORIGIN, staff_cookie))
        assert (await ws.connect())[0]
        assert json.loads(await ws.receive_from())["staff"] is True
        for text in frames:
            frame = await reply_to(ws, text)
            assert (frame["type"], frame["code"]) == ("error", "malformed"), text
            assert frame.get("ref") == json.loads(text).get("ref")
        await still_open(ws)
        await ws.disconnect()

    run(scenario)
    assert AssemblyEvent.objects.filter(assembly=assembly).count() == 1  # only the start


def test_wrong_types_for_every_field_of_every_action_are_malformed(assembly, staff, live):
    services.assembly_start(assembly=assembly, actor=staff)
    staff_cookie = cookie_for(staff, mfa=True)
    not_json_int = [True, False, 1.5, "1", [], {}, [1], {"a": 1}]
    cases = []
    for value in [*not_json_int, None]:  # item is optional: null means "the next item"
        if value is not None:
            cases.append({"action": "agenda.advance", "item": value})
        cases.append({"action": "poll.close", "poll": value})
        cases.append({"action": "question.moderate", "question": value, "moderation": "hide"})
    for value in [None, True, 1, 1.5, [], {}, ["x"], {"a": "x"}]:  # not strings
        cases.append({"action": "announcement.post", "text": value})
        cases.append({"action": "question.moderate", "question": 1, "moderation": value})
        cases.append({"action": value})
    cases += [
        {"action": "announcement.post"},  # missing fields
        {"action": "poll.close"},
        {"action": "question.moderate", "question": 1},
        {"action": "announcement.post", "text": "a\x00b"},  # PostgreSQL refuses NUL
        {"action": "announcement.post", "text": "\ud800"},  # a lone surrogate
        {"action": "question.moderate", "question": 1, "moderation": "\udfff"},
        {"action": "no.such.action"},
    ]

    async def scenario():
        ws = communicator(assembly, headers=(ORIGIN, staff_cookie))
        assert (await ws.connect())[0]
        await ws.receive_from()
        for case in cases:
            text = json.dumps({"type": "action", **case})
            frame = await reply_to(ws, text)
            assert (frame["type"], frame.get("code")) == ("error", "malformed"), (text, frame)
        await still_open(ws)
        await ws.disconnect()

    run(scenario)
    assert AssemblyEvent.objects.filter(assembly=assembly).count() == 1


def test_refs_are_echoed_only_when_they_are_safe_to_send_back(assembly, live):
    async def scenario():
        ws = communicator(assembly)
        assert (await ws.connect())[0]
        await ws.receive_from()
        for ref, echoed in [
            ("r-1", "r-1"),
            (7, 7),
            ("\ud800", None),  # cannot be encoded in a text frame
            ("x" * (consumers.MAX_REF + 1), None),
            (True, None),
            (1.5, None),
            ([1], None),
            (10**30, None),
        ]:
            frame = await reply_to(ws, json.dumps({"type": "action", "action": "x", "ref": ref}))
            assert frame["code"] == "forbidden"
            assert frame.get("ref") == echoed, ref
        await still_open(ws)
        await ws.disconnect()

    run(scenario)


def test_deeply_nested_and_huge_frames_get_errors(assembly, live):
    async def scenario():
        ws = communicator(assembly)
        assert (await ws.connect())[0]
        await ws.receive_from()
        deep = "[" * 2000 + "]" * 2000  # under MAX_FRAME, beyond json's recursion limit
        for text, code in [
            (deep, "malformed"),
            ('{"type": "resume", "seq": ' + "[" * 2000 + "]" * 2000 + "}", "malformed"),
            ('{"type": "resume", "seq": ' + "9" * 4000 + "}", "malformed"),
            ('{"type": ' + "1" * 4000 + "}", "malformed"),
            ("[" * (consumers.MAX_FRAME + 1), "too_large"),
        ]:
            frame = await reply_to(ws, text)
            assert (frame["type"], frame["code"]) == ("error", code), text[:40]
        await still_open(ws)
        await ws.disconnect()

    run(scenario)


@pytest.fixture
def started(assembly, staff, voter, live):
    """A live assembly with a question awaiting moderation, and its staff's MFA cookie
    (set up once for all the examples of a hypothesis test)."""
    services.assembly_start(assembly=assembly, actor=staff)
    services.question_submit(assembly=assembly, author=voter, text="¿Agua?")
    return assembly, cookie_for(staff, mfa=True)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**62, max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=10,
)
field_values = json_values | st.sampled_from([1, 2**63 - 1, 2**63, "approve", "pin", "Hola"])
action_frames = st.fixed_dictionaries(
    {
        "type": st.just("action"),
        "action": st.sampled_from(
            ["announcement.post", "agenda.advance", "poll.close", "question.moderate"]
        )
        | json_values,
    },
    optional=dict.fromkeys(("text", "item", "poll", "question", "moderation", "ref"), field_values),
)
other_frames = st.fixed_dictionaries(
    {"type": st.sampled_from(["ping", "resume", "action", "vote", "dance"]) | json_values},
    optional={
        "seq": field_values,
        "ref": field_values,
        "poll": field_values,
        "option": field_values,
    },
)
frame_texts = st.one_of(
    st.text(max_size=60),  # arbitrary text, JSON or not
    json_values.map(json.dumps),
    action_frames.map(json.dumps),
    other_frames.map(json.dumps),
    st.sampled_from(
        [
            '{"type": "action", "action": "poll.close", "poll": 1e400}',
            '{"type": "resume", "seq": 1e400}',
            '{"type": "action", "action": "announcement.post", "text": "\\ud800", "ref": 1}',
            '{"type": "action", "action": "x", "ref": "\\udc00"}',
            "[" * 3000,
            '{"type": "ping"' + " " * 5000 + "}",
        ]
    ),
)
since_values = st.none() | st.text(max_size=30) | st.integers().map(str)


@hypothesis.settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    since=since_values,
    texts=st.lists(frame_texts, min_size=1, max_size=4),
    as_staff=st.booleans(),
)
def test_any_url_and_any_frame_get_an_answer_and_the_socket_stays_open(
    started, live, since, texts, as_staff
):
    assembly, staff_cookie = started
    headers = (ORIGIN, staff_cookie) if as_staff else (ORIGIN,)
    path = f"/ws/asambleas/{assembly.pk}/"
    if since is not None:
        path += "?since=" + quote(since, safe="")

    async def scenario():
        ws = WebsocketCommunicator(application, path, headers=list(headers))
        assert (await ws.connect())[0]
        first = json.loads(await ws.receive_from(timeout=5))
        assert first["type"] in {"snapshot", "resumed"}
        for text in texts:
            frame = await reply_to(ws, text)
            if frame["type"] == "error":
                assert frame["code"] in CLIENT_ERRORS, (text, frame)
        await still_open(ws)
        await ws.disconnect()

    run(scenario)
