"""The WebSocket of a live assembly: `/ws/asambleas/<page id>/?since=<seq>`.

Thin: it sends a snapshot (or the missed events), forwards the events broadcast to the
assembly's group, and passes staff actions to the services. The protocol is described in
docs/live-protocol.md.
"""

import asyncio
import contextlib
import json
import logging
import re
import time
from importlib import import_module
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth import get_user
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

from quitodecide import rulebook
from quitodecide.errors import DomainError, PermissionDenied
from quitodecide.mfa import mark_session
from quitodecide.middleware import CookieLocaleMiddleware

from . import relay, selectors, services
from .broadcast import event_frame, group_name
from .models import AgendaItem, AssemblyPage, Poll, Question
from .views import cast_vote

logger = logging.getLogger(__name__)

MAX_FRAME = 4096  # characters; a staff announcement is at most 1,000
PRESENCE_DELAY = 1.5  # seconds: follower counts are sent at most this often per assembly
MAX_BIGINT = 2**63 - 1  # ids and sequence numbers are bigint columns
MAX_REF = 100  # characters of an action's `ref`, echoed back in its answer
VOTE_FRAMES, VOTE_WINDOW = 10, 60.0  # vote frames per socket and seconds
_DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII only: str.isdigit() also takes "²"
_presence_tasks: set = set()


def _dumps(data: dict) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _bigint(value, *, minimum: int = 1) -> int | None:
    """An id or sequence number from the URL: ASCII digits within PostgreSQL's bigint."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if minimum <= number <= MAX_BIGINT else None


def _followers_key(assembly_id: int) -> str:
    return f"assemblies:followers:{assembly_id}"


class AssemblyConsumer(AsyncWebsocketConsumer):
    assembly_id: int
    last_seq: int = 0
    staff = False  # sees questions awaiting moderation
    may_act = False  # staff of the zone with MFA this session: may run the assembly
    counted = False
    following = False  # the snapshot was sent: frames from the client are answered
    current_relay = None  # the worker's relay of this assembly, once joined (relay.py)
    relay_buffer: list | None = None  # messages held back until the snapshot is sent

    # --- Connection -----------------------------------------------------------------

    async def connect(self):
        self.assembly_id = _bigint(self.scope["url_route"]["kwargs"].get("assembly_id"))
        if self.assembly_id is None or not await database_sync_to_async(self._load)():
            await self._refuse(4404)
            return
        # Join only now that the assembly is found and visible (a made-up id costs no relay),
        # but before reading the state: any event committed after the read reaches us, held
        # back until the snapshot is sent. The worker's relay holds the one subscription.
        try:
            await relay.join(self, self.assembly_id)
        except relay.RelayUnavailable:
            logger.exception("Cannot follow assembly %s: no channel layer", self.assembly_id)
            await self._refuse(1011)
            return
        try:
            first = await database_sync_to_async(self._read)(self._since_from_query())
            await self.accept()
            await self._send_catch_up(first)
            await relay.flush(self)
        except BaseException:  # Channels calls no disconnect() after a failed connect()
            await relay.leave(self)
            raise
        self.following = True
        self.counted = True
        await cache.aadd(_followers_key(self.assembly_id), 0, timeout=None)
        await cache.aincr(_followers_key(self.assembly_id))
        await self._schedule_presence()

    async def _refuse(self, code: int):
        # Accept first: a close before the accept is an HTTP 403 at the handshake, and the
        # client could not tell "no such assembly" (4404: stop) from a refused origin.
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code):
        await relay.leave(self)
        if self.counted:
            self.counted = False
            key = _followers_key(self.assembly_id)
            value = -1
            with contextlib.suppress(ValueError):  # the counter expired or was cleared
                value = await cache.adecr(key)
            if value < 0:
                await cache.aset(key, 0, timeout=None)
            await self._schedule_presence()

    def _load(self) -> bool:
        assembly = AssemblyPage.objects.live().public().filter(pk=self.assembly_id).first()
        if assembly is None:
            return False
        self.assembly = assembly
        # where a vote from someone not logged in is sent (read here, off the event loop)
        self.login_url = redirect_to_login(assembly.url)["Location"]
        user = self.scope.get("user")
        mark_session(SimpleNamespace(user=user, session=self.scope.get("session")))
        # One rule for both: staff of the zone whose session passed MFA run the assembly
        # and see questions awaiting moderation; everyone else follows the public stream.
        self.staff = rulebook.allowed(user, "assemblies.run", assembly)
        self.may_act = self.staff
        return True

    def _since_from_query(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        # Anything but a whole number in range (e.g. "²", which str.isdigit() accepts, or
        # 30 digits) is ignored: the client gets a fresh snapshot.
        return _bigint((query.get("since") or [""])[0], minimum=0)

    # --- Snapshot, replay, events ---------------------------------------------------

    def _read(self, since: int | None):
        """Either ("events", [...]) when `since` can be replayed, or ("snapshot", seq, state)."""
        current = selectors.current_seq(self.assembly_id)
        if since is not None and since <= current and current - since <= selectors.MAX_REPLAY:
            events = selectors.events_after(self.assembly_id, since)
            return ("events", [event_frame(e, staff=self.staff) for e in events], since)
        if self.staff:
            seq, state = selectors.assembly_state(self.assembly, staff=True)
        else:
            seq, state = _public_snapshot(self.assembly, current)
        return ("snapshot", seq, state)

    async def _catch_up(self, since: int | None):
        # Hold the relay's messages back meanwhile, as on connect: an event delivered during
        # the read would otherwise reach the client before the older replayed ones.
        self.relay_buffer = []
        try:
            await self._send_catch_up(await database_sync_to_async(self._read)(since))
        finally:
            await relay.flush(self)

    async def _send_catch_up(self, result):
        if result[0] == "snapshot":
            _kind, seq, state = result
            self.last_seq = seq
            followers = await cache.aget(_followers_key(self.assembly_id), 0)
            await self.send(
                text_data=_dumps(
                    {
                        "type": "snapshot",
                        "assembly": self.assembly_id,
                        "seq": seq,
                        "state": state,
                        "followers": max(int(followers or 0), 0),
                        "staff": self.may_act,
                    }
                )
            )
        else:
            _kind, frames, since = result
            self.last_seq = since
            await self.send(
                text_data=_dumps({"type": "resumed", "assembly": self.assembly_id, "seq": since})
            )
            for frame in frames:
                await self.send(text_data=frame)
                self.last_seq = json.loads(frame)["seq"]

    async def assembly_event(self, message):
        """An event from the group. Drop what we already sent; fill a gap (a broadcast that
        arrived late from another worker) from the database, so the stream stays ordered."""
        seq = message["seq"]
        if seq <= self.last_seq:
            return
        if seq > self.last_seq + 1:
            if seq - self.last_seq > selectors.MAX_REPLAY:
                await self._catch_up(None)
                return
            frames = await self._missing(self.last_seq, seq - 1)
            for frame_seq, frame in frames:
                await self.send(text_data=frame)
                self.last_seq = frame_seq
        frame = message["staff"] if self.staff and message.get("staff") else message["public"]
        await self.send(text_data=frame)
        self.last_seq = seq

    @database_sync_to_async
    def _missing(self, after: int, until: int) -> list[tuple[int, str]]:
        events = selectors.events_after(self.assembly_id, after, until=until)
        return [(e.seq, event_frame(e, staff=self.staff)) for e in events]

    # --- Presence (not events: not numbered, not stored) ----------------------------

    async def _schedule_presence(self):
        # The first join or leave in a window schedules one broadcast for the whole window.
        if await cache.aadd(f"assemblies:presence-lock:{self.assembly_id}", 1, PRESENCE_DELAY):
            task = asyncio.ensure_future(_broadcast_presence(self.channel_layer, self.assembly_id))
            _presence_tasks.add(task)
            task.add_done_callback(_presence_tasks.discard)

    async def assembly_presence(self, message):
        await self.send(text_data=_dumps({"type": "presence", "followers": message["followers"]}))

    # --- Frames from the client -----------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None):
        if not self.following:
            return  # refused at the handshake (4404): the socket is closing
        try:
            await self._receive(text_data)
        except Exception:  # answer every frame; never close the socket on a client's input
            logger.exception("Could not answer a frame on assembly %s", self.assembly_id)
            await self._error("server_error", _("Something went wrong. Please try again."))

    async def _receive(self, text_data: str | None):
        if text_data is None:
            await self._error("malformed", _("Send JSON text frames only."))
            return
        if len(text_data) > MAX_FRAME:
            await self._error("too_large", _("The message is too large."))
            return
        try:
            frame = json.loads(text_data)
        except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested too deep
            await self._error("malformed", _("The message is not valid JSON."))
            return
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self._error("malformed", _("A message is a JSON object with a type."))
            return
        kind = frame["type"]
        if kind == "ping":
            await self.send(text_data=_dumps({"type": "pong", "seq": self.last_seq}))
        elif kind == "resume":
            seq = frame.get("seq")
            if type(seq) is not int or not 0 <= seq <= MAX_BIGINT:  # bool and float are not
                await self._error("malformed", _("resume needs a sequence number."))
                return
            await self._catch_up(seq)
        elif kind == "action":
            await self._action(frame)
        elif kind == "vote":
            await self._vote(frame)
        else:
            await self._error("unknown_type", _("Unknown message type."))

    async def _error(self, code: str, message: str, ref=None):
        frame = {"type": "error", "code": code, "message": message}
        if ref is not None:
            frame["ref"] = ref
        await self.send(text_data=_dumps(frame))

    async def _vote(self, frame: dict):
        """A resident's vote over the socket already open: the same use case as the vote
        form (views.cast_vote: rule book, service, answer), without a request of its own
        (session, user, page routing: 27 queries by form, about 12 here). Every vote frame
        gets an `answer` with its `ref`, in the page's language."""
        ref = _ref(frame.get("ref"))
        try:
            poll_id, option_id = _frame_id(frame, "poll"), _frame_id(frame, "option")
        except Malformed:
            poll_id = option_id = None
        with translation.override(_language(self.scope)):
            login_url = ""
            if not _same_site(self.scope):
                code, message, payload = "forbidden", _("Votes are taken from this site only."), {}
            elif not self._vote_allowed_now():
                code, message = "rate", _("Too many votes from this page. Please wait a moment.")
                payload = {}
            else:
                try:
                    code, message, payload = await database_sync_to_async(self._cast_vote)(
                        poll_id, option_id
                    )
                except Exception:  # answered all the same: the page must not wait forever
                    logger.exception("Could not take a vote on assembly %s", self.assembly_id)
                    code, message = "server_error", _("Something went wrong. Please try again.")
                    payload = {}
            if code == "login":  # as the form's JSON answer: where to log in and come back
                login_url = self.login_url
            answer = {"type": "answer", "ref": ref, "ok": code == "ok", "code": code}
            answer.update(message=str(message), payload=payload)
            if login_url:
                answer["login_url"] = login_url
        await self.send(text_data=_dumps(answer))

    def _vote_allowed_now(self) -> bool:
        """At most VOTE_FRAMES vote frames per socket in VOTE_WINDOW seconds (a resident
        votes once per poll; this bounds what one socket can make the database do)."""
        now = time.monotonic()
        recent = [at for at in getattr(self, "vote_times", ()) if now - at < VOTE_WINDOW]
        if len(recent) >= VOTE_FRAMES:
            self.vote_times = recent
            return False
        self.vote_times = [*recent, now]
        return True

    def _cast_vote(self, poll_id: int | None, option_id: int | None):
        # (runs in the language _vote chose: the thread gets a copy of its context)
        # Whoever is logged in to this session now: a socket opened before a logout (or a
        # password change, or a deactivated account) votes in nobody's name.
        user = _session_user(self.scope)
        if not user.is_authenticated:
            return cast_vote(self.assembly, user, None, option_id)  # "log in to vote"
        if poll_id is None:
            return "invalid", _("Choose an option."), {}
        # The page as it is now (unpublished or made private since the socket opened: the
        # form's URL would answer 404), a fresh object for every vote.
        page = AssemblyPage.objects.live().public().filter(pk=self.assembly_id).first()
        if page is None:
            return "rejected", _("This vote is not open for online voting."), {}
        poll = Poll.objects.filter(pk=poll_id, assembly_id=page.pk).first()
        return cast_vote(page, user, poll, option_id)

    async def _action(self, frame: dict):
        ref = _ref(frame.get("ref"))
        if not self.may_act:
            await self._error(
                "forbidden", _("Only staff of this zone, with two-step login, can do this."), ref
            )
            return
        try:
            seq = await self._run_action(*_parse_action(frame))
        except PermissionDenied:
            await self._error(
                "forbidden", _("Only staff of this zone, with two-step login, can do this."), ref
            )
        except DomainError as error:
            await self._error("rejected", str(error.message), ref)
        except (
            Malformed,
            AgendaItem.DoesNotExist,
            Poll.DoesNotExist,
            Question.DoesNotExist,
        ):
            await self._error("malformed", _("The action is incomplete or invalid."), ref)
        else:
            await self.send(text_data=_dumps({"type": "ack", "ref": ref, "seq": seq}))

    @database_sync_to_async
    def _run_action(self, name: str, fields: dict) -> int:
        """Staff actions over the socket: the same services as the control panel's forms.
        `fields` were checked by `_parse_action`."""
        # The session as it is now, MFA step included: staff who logged out, changed their
        # password or lost their zone since the socket opened act no more.
        user, store = _session_user_and_store(self.scope)
        mark_session(SimpleNamespace(user=user, session=store))
        page = self.assembly
        if not rulebook.allowed(user, "assemblies.run", page):
            raise PermissionDenied(_("Only staff of this zone, with two-step login, can do this."))
        if name == "announcement.post":
            services.announcement_post(assembly=page, actor=user, text=fields["text"])
        elif name == "agenda.advance":
            item = None
            if fields["item"] is not None:
                item = AgendaItem.objects.get(pk=fields["item"], page_id=page.pk)
            services.agenda_advance(assembly=page, actor=user, item=item)
        elif name == "poll.close":
            poll = Poll.objects.get(pk=fields["poll"], assembly_id=page.pk)
            services.poll_close(poll=poll, actor=user)
        elif name == "question.moderate":
            question = Question.objects.get(pk=fields["question"], assembly_id=page.pk)
            services.question_moderate(question=question, actor=user, action=fields["moderation"])
        return selectors.current_seq(page.pk)


def _language(scope) -> str:
    """The language a request with the socket's cookies would get (the switch's cookie, or
    the site's language)."""
    return CookieLocaleMiddleware.language_for(SimpleNamespace(COOKIES=scope.get("cookies") or {}))


def _same_site(scope) -> bool:
    """The page that opened the socket is one of this site's (a vote is final; the form
    path has its CSRF token). The handshake's check accepts any host of ALLOWED_HOSTS,
    wildcards included; here the Origin's host must be the very host the socket was opened
    on (ports aside: a proxy passes the host without it), or a CSRF_TRUSTED_ORIGINS entry."""
    headers = dict(scope.get("headers") or [])
    origin = headers.get(b"origin", b"").decode("latin-1")
    host = headers.get(b"host", b"").decode("latin-1")
    if origin and origin in settings.CSRF_TRUSTED_ORIGINS:
        return True
    try:
        parsed = urlsplit(origin)
        origin_host = (parsed.hostname or "").lower()
        own_host = (urlsplit(f"//{host}").hostname or "").lower()
    except ValueError:  # "http://[::1" and the like
        return False
    return parsed.scheme in ("http", "https") and bool(origin_host) and origin_host == own_host


def _session_user(scope):
    """The user of the socket's session as it is now in the session store (Django's own
    check: session present and not expired, account active, password unchanged)."""
    return _session_user_and_store(scope)[0]


def _session_user_and_store(scope):
    """(user, session store) as they are now; (AnonymousUser, None) without a session."""
    key = getattr(scope.get("session"), "session_key", None)
    if not key:
        return AnonymousUser(), None
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    return get_user(SimpleNamespace(session=store)), store


# --- Parsing the fields of client frames -----------------------------------------------


class Malformed(Exception):
    """A field of a client frame is missing, of the wrong type or out of range."""


def _frame_id(frame: dict, key: str, *, required: bool = True) -> int | None:
    # A JSON integer within bigint: not a bool (an int in Python), not a float (1e400 is
    # inf, 2.5 is no id), not a numeric string.
    value = frame.get(key)
    if value is None and not required:
        return None
    if type(value) is not int or not 1 <= value <= MAX_BIGINT:
        raise Malformed(key)
    return value


def _frame_text(frame: dict, key: str) -> str:
    value = frame.get(key)
    if not isinstance(value, str) or "\x00" in value or not _utf8(value):
        raise Malformed(key)
    return value


def _utf8(text: str) -> bool:
    # JSON can carry lone surrogates ("\ud800"), which no database and no socket can encode.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _ref(value):
    """The client's `ref`, echoed back: a string or a bigint; anything else is dropped."""
    if type(value) is int and -MAX_BIGINT <= value <= MAX_BIGINT:
        return value
    if isinstance(value, str) and len(value) <= MAX_REF and _utf8(value):
        return value
    return None


def _parse_action(frame: dict) -> tuple[str, dict]:
    name = frame.get("action")
    if name == "announcement.post":
        return name, {"text": _frame_text(frame, "text")}
    if name == "agenda.advance":
        return name, {"item": _frame_id(frame, "item", required=False)}
    if name == "poll.close":
        return name, {"poll": _frame_id(frame, "poll")}
    if name == "question.moderate":
        fields = {"question": _frame_id(frame, "question")}
        return name, {**fields, "moderation": _frame_text(frame, "moderation")}
    raise Malformed("action")


# The public snapshot of an assembly at a given sequence number, shared by every follower
# who connects to this worker while nothing changes: a crowd joining at the start of an
# assembly costs one state read, not one per person. (Staff snapshots are never cached.)
_snapshots: dict[int, tuple[int, dict]] = {}


def _public_snapshot(assembly: AssemblyPage, current: int) -> tuple[int, dict]:
    cached = _snapshots.get(assembly.pk)
    if cached is not None and cached[0] == current:
        return cached
    seq, state = selectors.assembly_state(assembly, staff=False)
    if seq == current:
        _snapshots[assembly.pk] = (seq, state)
    return seq, state


async def _broadcast_presence(layer, assembly_id: int):
    await asyncio.sleep(PRESENCE_DELAY)
    try:
        followers = await cache.aget(_followers_key(assembly_id), 0)
        await layer.group_send(
            group_name(assembly_id),
            {"type": "assembly.presence", "followers": max(int(followers or 0), 0)},
        )
    except Exception:  # presence is best effort; never let it take a worker down
        logger.exception("Could not send the follower count of assembly %s", assembly_id)
