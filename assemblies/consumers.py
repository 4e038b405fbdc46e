"""The WebSocket of a live assembly: `/ws/asambleas/<page id>/?since=<seq>`.

Thin: it sends a snapshot (or the missed events), forwards the events broadcast to the
assembly's group, and passes staff actions to the services. The protocol is described in
docs/live-protocol.md.
"""

import asyncio
import contextlib
import json
import logging
from types import SimpleNamespace
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.core.cache import cache
from django.utils.translation import gettext as _

from quitodecide import rulebook
from quitodecide.errors import DomainError
from quitodecide.mfa import mark_session

from . import relay, selectors, services
from .broadcast import event_frame, group_name
from .models import AgendaItem, AssemblyPage, Poll, Question

logger = logging.getLogger(__name__)

MAX_FRAME = 4096  # characters; a staff announcement is at most 1,000
PRESENCE_DELAY = 1.5  # seconds: follower counts are sent at most this often per assembly
_presence_tasks: set = set()


def _dumps(data: dict) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _followers_key(assembly_id: int) -> str:
    return f"assemblies:followers:{assembly_id}"


class AssemblyConsumer(AsyncWebsocketConsumer):
    assembly_id: int
    last_seq: int = 0
    staff = False  # sees questions awaiting moderation
    may_act = False  # staff of the zone with MFA this session: may run the assembly
    counted = False
    relay_buffer: list | None = None  # messages held back until the snapshot is sent

    # --- Connection -----------------------------------------------------------------

    async def connect(self):
        self.assembly_id = int(self.scope["url_route"]["kwargs"]["assembly_id"])
        self.group = group_name(self.assembly_id)
        # Join before reading the state: any event committed after the read reaches us.
        # The worker's relay holds the one group subscription and fans out to us.
        await relay.join(self, self.assembly_id)
        # One trip to the database thread: the assembly, the permissions, the first frames.
        first = await self._load_and_read(self._since_from_query())
        if first is None:
            relay.leave(self, self.assembly_id)
            self.group = None
            await self.close(code=4404)
            return
        await self.accept()
        await self._send_catch_up(first)
        await relay.flush(self)
        self.counted = True
        await cache.aadd(_followers_key(self.assembly_id), 0, timeout=None)
        await cache.aincr(_followers_key(self.assembly_id))
        await self._schedule_presence()

    async def disconnect(self, code):
        if getattr(self, "group", None):
            relay.leave(self, self.assembly_id)
        if self.counted:
            self.counted = False
            key = _followers_key(self.assembly_id)
            value = -1
            with contextlib.suppress(ValueError):  # the counter expired or was cleared
                value = await cache.adecr(key)
            if value < 0:
                await cache.aset(key, 0, timeout=None)
            await self._schedule_presence()

    @database_sync_to_async
    def _load_and_read(self, since: int | None):
        if not self._load():
            return None
        return self._read(since)

    def _load(self) -> bool:
        assembly = AssemblyPage.objects.live().public().filter(pk=self.assembly_id).first()
        if assembly is None:
            return False
        self.assembly = assembly
        user = self.scope.get("user")
        mark_session(SimpleNamespace(user=user, session=self.scope.get("session")))
        # One rule for both: staff of the zone whose session passed MFA run the assembly
        # and see questions awaiting moderation; everyone else follows the public stream.
        self.staff = rulebook.allowed(user, "assemblies.run", assembly)
        self.may_act = self.staff
        return True

    def _since_from_query(self) -> int | None:
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        value = (query.get("since") or [""])[0]
        return int(value) if value.isdigit() else None

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
        await self._send_catch_up(await database_sync_to_async(self._read)(since))

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
        if text_data is None:
            await self._error("malformed", _("Send JSON text frames only."))
            return
        if len(text_data) > MAX_FRAME:
            await self._error("too_large", _("The message is too large."))
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
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
            if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
                await self._error("malformed", _("resume needs a sequence number."))
                return
            await self._catch_up(seq)
        elif kind == "action":
            await self._action(frame)
        else:
            await self._error("unknown_type", _("Unknown message type."))

    async def _error(self, code: str, message: str, ref=None):
        frame = {"type": "error", "code": code, "message": message}
        if ref is not None:
            frame["ref"] = ref
        await self.send(text_data=_dumps(frame))

    async def _action(self, frame: dict):
        ref = frame.get("ref")
        if not isinstance(ref, str | int | None) or isinstance(ref, bool):
            ref = None
        if not self.may_act:
            await self._error(
                "forbidden", _("Only staff of this zone, with two-step login, can do this."), ref
            )
            return
        try:
            seq = await self._run_action(frame)
        except DomainError as error:
            await self._error("rejected", str(error.message), ref)
        except (
            KeyError,
            TypeError,
            ValueError,
            AgendaItem.DoesNotExist,
            Poll.DoesNotExist,
            Question.DoesNotExist,
        ):
            await self._error("malformed", _("The action is incomplete or invalid."), ref)
        else:
            await self.send(text_data=_dumps({"type": "ack", "ref": ref, "seq": seq}))

    @database_sync_to_async
    def _run_action(self, frame: dict) -> int:
        """Staff actions over the socket: the same services as the control panel's forms."""
        name, user, page = frame.get("action"), self.scope["user"], self.assembly
        if name == "announcement.post":
            services.announcement_post(assembly=page, actor=user, text=str(frame["text"]))
        elif name == "agenda.advance":
            item = None
            if frame.get("item") is not None:
                item = AgendaItem.objects.get(pk=int(frame["item"]), page_id=page.pk)
            services.agenda_advance(assembly=page, actor=user, item=item)
        elif name == "poll.close":
            poll = Poll.objects.get(pk=int(frame["poll"]), assembly_id=page.pk)
            services.poll_close(poll=poll, actor=user)
        elif name == "question.moderate":
            question = Question.objects.get(pk=int(frame["question"]), assembly_id=page.pk)
            services.question_moderate(
                question=question, actor=user, action=str(frame["moderation"])
            )
        else:
            raise ValueError(name)
        return selectors.current_seq(page.pk)


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
