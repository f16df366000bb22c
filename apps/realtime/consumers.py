"""The single WebSocket endpoint of a browser tab.

It authenticates, keeps the user's group membership and presence, validates the
envelope and hands each frame to the handler its app registered. Bad frames get an
`error` frame; the socket stays open.
"""

import asyncio
import collections
import contextlib
import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import redis.exceptions
from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import DatabaseError
from django.utils.translation import gettext as _

from apps.core.errors import DomainError
from apps.core.observability import context as log_context
from apps.core.observability import tracing
from apps.realtime import events, presence, registry
from apps.realtime.auth import (
    heartbeat_sync_to_async,
    pooled_sync_to_async,
    session_key_digest,
    session_key_from_scope,
)
from apps.realtime.metrics import WEBSOCKET_CONNECTIONS
from apps.realtime.protocol import ErrorCode, user_group
from apps.realtime.socket_work import OVERDUE, connect_sync, touch_socket
from apps.realtime.transport.channel_layer import EXCEPT_CHANNEL_KEY
from apps.realtime.transport.dispatch import dispatch_in_arrival_order
from apps.realtime.validation import Refusal, checked_frame, ref_is_valid

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
CLOSE_UNAUTHENTICATED_REASON = "not signed in"
# RFC 6455 "Try Again Later": PostgreSQL or Redis is unreachable (a restart, a failover);
# the client's backoff retries, and the handshake is refused cleanly instead of with a 500.
CLOSE_TRY_AGAIN_LATER = 1013
# The same, once the socket is open: autobahn lets an application close an open socket
# only with 1000 or 3000-4999 (with 1013 the close raised, and daphne sent 1011 instead).
CLOSE_TRY_AGAIN_LATER_OPEN = 4013
# Refused by admission control (a connect that waited past WEBSOCKET_CONNECT_MAX_WAIT_S for its
# session lookup, or one beyond WEBSOCKET_MAX_CONNECTS_IN_PROGRESS): accepted, then closed with
# 4013 at once, before any session lookup; the client backs off.
CLOSE_BUSY_REASON = "server busy"
# TimeoutError: a bounded wait on one of them ran out (apps.realtime.events' publishes).
BACKING_SERVICE_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, TimeoutError, DatabaseError)
try:
    from autobahn.exception import Disconnected as _AutobahnDisconnected
except ImportError:  # not running under daphne
    _AutobahnDisconnected = OSError
# Sending on a socket whose client has just gone: daphne raises autobahn's Disconnected; the
# ASGI spec asks servers for an OSError.
SOCKET_GONE_ERRORS = (OSError, _AutobahnDisconnected)
# Where a group message keeps its frame once encoded (see `realtime_frame`).
FRAME_TEXT_KEY = "frame_text"
SERVICE_UNAVAILABLE_RETRY_AFTER_S = 2


def encode_frame(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


async def heartbeat_refresh(consumer: "GatewayConsumer") -> None:
    """What a `ping` does after its `pong`: refresh presence and let apps count the heartbeat.

    A refresh that fails (Redis away, a failover) is skipped until the next heartbeat.
    """
    try:
        await heartbeat_sync_to_async(touch_socket)(consumer.user_id, consumer.channel_name, registry.heartbeat_writers)
        for hook in registry.heartbeat_hooks:
            await hook(consumer)
    except BACKING_SERVICE_ERRORS as error:
        logger.warning("heartbeat without presence refresh: a backing service is unavailable (%s)", type(error).__name__)


class GatewayConsumer(AsyncWebsocketConsumer):
    user_id: int
    groups_joined: set[str]
    connect_data: dict[str, Any] | None
    # True between accept() and disconnect(): only accepted sockets count as open.
    counted: bool = False
    # The server's inbox while this socket is connecting (daphne's asyncio.Queue), or None.
    inbox: asyncio.Queue | None = None
    # Connects of this process between websocket.connect and hello (admission control).
    connects_in_progress: int = 0
    # The socket's frames' work not done yet, in arrival order, and the task doing it: both
    # None while the socket is quiet (an empty deque is ~600 bytes, on every idle socket).
    frame_work: collections.deque | None = None
    frame_worker: asyncio.Task | None = None

    async def __call__(self, scope, receive, send) -> None:
        """channels' AsyncConsumer.__call__, with one queue and one task for everything.

        The server's inbox (daphne's, and the test communicator's, is the asyncio.Queue whose
        `get` is `receive`) also takes the channel layer's messages for this socket, so frames
        and layer messages are dispatched in arrival order with no task in between (apps/
        realtime/transport/channel_layer.py gives the memory this saves). Another server or layer gets
        the pumps of `dispatch_in_arrival_order`.
        """
        self.scope = scope
        self.base_send = send
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        inbox = getattr(receive, "__self__", None)
        direct = isinstance(inbox, asyncio.Queue) and hasattr(self.channel_layer, "new_channel_into")
        sources = [receive]
        if self.channel_layer is not None:
            try:
                if direct:
                    self.channel_name = await self.channel_layer.new_channel_into(inbox.put_nowait)
                else:
                    self.channel_name = await self.channel_layer.new_channel()
            except (*BACKING_SERVICE_ERRORS, AttributeError):
                # Redis is away (a restart): refuse the handshake cleanly; the client retries.
                # AttributeError too: redis-py's asyncio pub/sub connection, caught mid-reconnect
                # after a Redis restart, has no writer yet ("'NoneType' object has no attribute
                # 'writelines'"; seen once in 1,168 reconnects of the fault bench, as an HTTP 500).
                logger.warning("socket refused: the channel layer is unavailable", exc_info=True)
                await receive()  # websocket.connect
                await send({"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER})
                return
            if not direct:
                self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
                sources.append(self.channel_receive)
        if direct:
            self.inbox = inbox
            try:
                with contextlib.suppress(StopConsumer):
                    while True:
                        await self.dispatch(await receive())
            finally:
                try:
                    await self.channel_layer.close_channel(self.channel_name)
                except Exception:
                    # As channels-redis does: the socket's own exit (or cancellation) goes on.
                    logger.exception("could not unsubscribe the channel of a closed socket")
            return
        with contextlib.suppress(StopConsumer):
            await dispatch_in_arrival_order(sources, self.dispatch)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its `aclose_old_connections()` before every handler.

        That call is a hop to the process's single thread-sensitive thread for each frame
        and each group message: in a storm or a busy chat every socket of the process queued
        on that one thread (measured: a quarter of the event loop's CPU at 600 messages/s).
        Nothing here touches the ORM on the loop; every database call goes through
        `database_sync_to_async` (or its pooled form), which closes stale connections around itself.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    def abandoned(self) -> bool:
        """True when the client left before its handshake was answered.

        Before accept() nothing but the server's websocket.disconnect can be queued behind the
        websocket.connect being handled (nobody knows the new channel's name yet), so a
        non-empty inbox means the client (or HAProxy, or daphne's handshake timeout) gave up.
        Called from the pool's thread too: qsize() only reads the length of a deque.
        """
        return self.inbox is not None and self.inbox.qsize() > 0

    async def connect(self) -> None:
        # The socket's task lives as long as the socket: its log lines all carry this id.
        log_context.bind(connection_id=log_context.new_id())
        if self.abandoned():
            return  # its websocket.disconnect comes next and ends the consumer
        cls = GatewayConsumer
        if cls.connects_in_progress >= settings.WEBSOCKET_MAX_CONNECTS_IN_PROGRESS:
            # Far past any storm this process can work off in time: refuse at once (microseconds).
            await self.refuse_busy()
            return
        cls.connects_in_progress += 1
        try:
            await self.connect_admitted(arrived_at=time.monotonic())
        finally:
            cls.connects_in_progress -= 1

    async def refuse_busy(self) -> None:
        await self.accept()
        await self.close(code=CLOSE_TRY_AGAIN_LATER_OPEN, reason=CLOSE_BUSY_REASON)

    async def connect_admitted(self, *, arrived_at: float) -> None:
        # Admission by waiting time: a storm the process works off within the limit is served
        # whole, however large; past it, each refused client backs off and the queue stops
        # growing. (A count limit of 500 refused 4,486 times in a 5,000-socket storm that,
        # unrefused, every socket got through in under 3 s.)
        def overdue() -> bool:
            return time.monotonic() - arrived_at > settings.WEBSOCKET_CONNECT_MAX_WAIT_S

        try:
            loaded = await pooled_sync_to_async(connect_sync)(
                session_key_from_scope(self.scope), self.channel_name, self.abandoned, overdue
            )
        except BACKING_SERVICE_ERRORS:
            logger.warning("socket refused: a backing service is unavailable", exc_info=True)
            await self.close(code=CLOSE_TRY_AGAIN_LATER)
            return
        if loaded is OVERDUE:
            await self.refuse_busy()
            return
        user, self.connect_data = loaded
        if user is None:
            return  # abandoned while it waited for a thread: nothing was done, nothing to undo
        self.scope["user"] = user
        if self.connect_data is None:
            # Accepted, then closed: a refused handshake reaches the browser as 1006, whatever
            # code was meant, and the client's "4401 is final" never fired (docs/protocol.md).
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED, reason=CLOSE_UNAUTHENTICATED_REASON)
            return
        self.user_id = user.pk
        log_context.bind(user_id=user.pk)
        self.groups_joined = set()
        self.inbox = None  # from here on, frames and group messages are queued there too
        await self.accept()
        WEBSOCKET_CONNECTIONS.inc()
        self.counted = True
        try:
            await self.join_group(user_group(self.user_id))
            for hook in registry.connect_hooks:
                await hook(self)
            await self.send_frame(events.hello_frame(user_id=self.user_id))
        except BACKING_SERVICE_ERRORS:
            # Redis went away between accept and hello: close; the client's backoff reconnects
            # and resumes (disconnect() runs and cleans up what was joined).
            logger.warning("socket closed at connect: a backing service is unavailable", exc_info=True)
            await self.close(code=CLOSE_TRY_AGAIN_LATER_OPEN)
        except BaseException:
            # The consumer dies with the exception and disconnect() never runs for it.
            self._uncount()
            raise

    def _uncount(self) -> None:
        if self.counted:
            self.counted = False
            WEBSOCKET_CONNECTIONS.dec()

    async def disconnect(self, code: int) -> None:
        self._uncount()
        if not hasattr(self, "user_id"):
            return
        # The work of every frame read before the close is done first, as when frames were
        # handled one by one: a `message.send` is stored, and a `resume` still at work does not
        # join its room's group after the cleanup below.
        if self.frame_worker is not None:
            await asyncio.wait((self.frame_worker,))
        for hook in registry.disconnect_hooks:
            try:
                await hook(self)
            except Exception:
                logger.exception("disconnect hook failed for user %s", self.user_id)
        for group in list(self.groups_joined):
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined.clear()
        await pooled_sync_to_async(presence.socket_closed)(user_id=self.user_id, channel_name=self.channel_name)

    async def join_group(self, group: str) -> None:
        if group not in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.add(group)

    async def leave_group(self, group: str) -> None:
        if group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
            self.groups_joined.discard(group)

    async def send_frame(self, frame: dict[str, Any]) -> None:
        await self.send_text(encode_frame(frame))

    async def send_text(self, text: str) -> None:
        try:
            await self.send(text_data=text)
        except SOCKET_GONE_ERRORS:
            # The client went away while frames for it were still queued. Its
            # websocket.disconnect is queued behind them and cleans up (groups, presence);
            # raising here killed the consumer first, and that cleanup never ran (118 times in
            # one run of the chat bench).
            logger.debug("frame dropped: the socket of user %s is closed", getattr(self, "user_id", None))

    async def send_error(self, code: str, message: str, *, ref: str | None = None, **extra: Any) -> None:
        await self.send_frame(events.error_frame(code=code, message=message, ref=ref, **extra))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Checks the frame here, as it is read; answers a `ping` at once; everything else is
        done in arrival order by the socket's frame worker (`in_order`), and group messages that
        come meanwhile wait behind it.

        A `pong` says the socket is alive, and it is, however long the frames before it take
        (a join waiting for a busy process's database threads) and whatever Redis does. Answered
        after them, it came later than the client's 10 s pong timeout on a loaded server: live
        sockets were closed and connected again, into the load that had delayed it
        (`make bench-cluster`).
        """
        frame_or_error = checked_frame(text_data)
        if isinstance(frame_or_error, dict) and frame_or_error.get("type") == "ping" and ref_is_valid(frame_or_error):
            await self.send_frame(events.pong_frame())
            self.in_order(functools.partial(heartbeat_refresh, self))
            return
        if isinstance(frame_or_error, Refusal):
            self.in_order(functools.partial(self.send_error, frame_or_error.code, frame_or_error.message))
        else:
            self.in_order(functools.partial(self.dispatch_frame, frame_or_error))

    def in_order(self, work: Callable[[], Awaitable[None]]) -> None:
        """Runs `work` after the work of the socket's earlier frames, on one task per burst
        of frames (none while the socket is quiet), so that reading goes on meanwhile."""
        if self.frame_worker is None:
            self.frame_work = collections.deque()
            self.frame_worker = asyncio.get_running_loop().create_task(self.work_off_frames())
        self.frame_work.append(work)

    async def work_off_frames(self) -> None:
        try:
            while self.frame_work:
                work = self.frame_work.popleft()
                try:
                    await work()
                except Exception:
                    # dispatch_frame answers every failure itself; this is a bug's last stop,
                    # and the frames after it are still done.
                    logger.exception("frame work failed for user %s", self.user_id)
        finally:
            self.frame_work = self.frame_worker = None

    async def dispatch_frame(self, frame: Any) -> None:
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self.send_error(ErrorCode.INVALID_FRAME, _("A frame must be a JSON object with a string 'type'."))
            return
        ref = frame.get("ref")
        if not ref_is_valid(frame):
            await self.send_error(ErrorCode.INVALID_FRAME, _("'ref' must be a string of at most 64 characters."))
            return
        frame_type = frame["type"]
        handler = registry.frame_handlers.get(frame_type)
        if handler is None:
            await self.send_error(ErrorCode.UNKNOWN_TYPE, _("Unknown frame type: %(type)s") % {"type": frame_type[:64]}, ref=ref)
            return
        try:
            with tracing.frame_span(frame_type, user_id=self.user_id):
                frame = registry.frame_checks[frame_type](frame)
                await handler(self, frame)
        except DomainError as error:
            await self.send_error(error.code, str(error.message), ref=ref, field=error.field, retry_after_s=error.retry_after_s)
        except BACKING_SERVICE_ERRORS:
            # Redis or PostgreSQL is away (a restart, a failover): nothing was done; the
            # client retries the same frame after a moment (a send keeps its client_msg_id).
            logger.warning("frame %s refused: a backing service is unavailable", frame_type, exc_info=True)
            await self.send_error(
                ErrorCode.SERVICE_UNAVAILABLE,
                _("The service is briefly unavailable; please retry."),
                ref=ref,
                retry_after_s=SERVICE_UNAVAILABLE_RETRY_AFTER_S,
            )
        except Exception:
            logger.exception("frame handler for %s failed", frame_type)
            await self.send_error(ErrorCode.INTERNAL_ERROR, _("Something went wrong on our side; please retry."), ref=ref)

    async def realtime_frame(self, message: dict[str, Any]) -> None:
        if message.get(EXCEPT_CHANNEL_KEY) == self.channel_name:
            return
        # The channel layer hands this process's receivers one shared message: the first
        # encodes the frame for all (a lobby announcement: once, not once per socket).
        text = message.get(FRAME_TEXT_KEY)
        if text is None:
            text = message[FRAME_TEXT_KEY] = encode_frame(message["frame"])
        if self.frame_worker is not None:
            # Never ahead of the answers to the socket's earlier frames: a match.proposed
            # published while the student's queue.join is at work must follow its `waiting`
            # status, or the page would show the queue over the proposal.
            self.in_order(functools.partial(self.send_text, text))
            return
        await self.send_text(text)

    async def session_end(self, message: dict[str, Any]) -> None:
        """A layer message (`events.user_sessions_end`): the user's other sessions were ended."""
        if session_key_digest(session_key_from_scope(self.scope)) == message["keep"]:
            return
        await self.close(code=message["code"], reason=message["reason"])
