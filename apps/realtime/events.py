"""Sending frames to groups, only once the surrounding transaction has committed.

Services call these; consumers never broadcast on their own. Outside a transaction the
frame leaves at once (Django runs on_commit callbacks immediately in autocommit mode).
The callbacks are robust: a publish that fails (Redis restarting) is logged and never turns
a committed write into an error; clients recover what they missed by seq (resume/range).
"""

import asyncio
import collections
import logging
import os
import threading
import weakref
from collections.abc import Iterable
from typing import Any

from asgiref.sync import SyncToAsync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from apps.realtime.protocol import user_group
from apps.realtime.transport.channel_layer import EXCEPT_CHANNEL_KEY

FRAME_MESSAGE_TYPE = "realtime.frame"

logger = logging.getLogger(__name__)


_sender: tuple[int, asyncio.AbstractEventLoop] | None = None
# Guards the process's sender loop and its table of ordered publishers (one per server loop).
_loops_lock = threading.Lock()


def _sender_loop() -> asyncio.AbstractEventLoop:
    """One long-lived event loop per process for sends from sync code (services, Celery workers).

    async_to_sync outside an event loop builds a new loop, and with it a new Redis
    connection, for every call (~3 ms each, measured); a kept loop keeps the layer's connection.
    """
    global _sender
    with _loops_lock:
        if _sender is None or _sender[0] != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="realtime-sender", daemon=True).start()
            _sender = (os.getpid(), loop)
        return _sender[1]


def _server_loop() -> asyncio.AbstractEventLoop | None:
    """The server's own event loop when sync code runs for it (the chat writer thread of a
    daphne process). Publishing from there instead of the process's sender loop: a second
    loop thread inside a busy server costs GIL hand-offs on every publish and starved the
    chat's fan-out (measured: a 5,000-member announcement not delivered within 5 s)."""
    if getattr(SyncToAsync.threadlocal, "main_event_loop_pid", None) == os.getpid():
        loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
        if loop is not None and loop.is_running():
            return loop
    return None


# (groups, frame, channel name of the one socket that must not get it, or None)
Send = tuple[list[str], dict[str, Any], str | None]


def _message(frame: dict[str, Any], except_channel: str | None) -> dict[str, Any]:
    message = {"type": FRAME_MESSAGE_TYPE, "frame": frame}
    if except_channel is not None:
        message[EXCEPT_CHANNEL_KEY] = except_channel
    return message


def _group_send_many_now(pairs: list[Send]) -> None:
    server_loop = _server_loop()
    if server_loop is not None:
        # Hand the frames to the server's loop and go on with the next batch. Waiting here
        # kept every batch (and every ack behind it) queued behind the busy loop's next turn
        # and a Redis round trip.
        _ordered_publisher(server_loop).hand_over(pairs)
        return
    future = asyncio.run_coroutine_threadsafe(_publish_many(pairs), _sender_loop())
    future.result(timeout=settings.REALTIME_PUBLISH_TIMEOUT_S + 1)


class OrderedPublisher:
    """Publishes what threads hand over to one event loop, in hand-over order.

    A frame of a room must never overtake an earlier one, so one task on the loop publishes,
    one pipeline after another; what accumulates meanwhile leaves together in the next one.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.handed_over: collections.deque[list[Send]] = collections.deque()
        self.publishing = False  # read and written on the loop only
        self._task: asyncio.Task | None = None  # a reference, so the running task is not collected

    def hand_over(self, pairs: list[Send]) -> None:
        """From any thread, the loop's own included."""
        self.handed_over.append(pairs)
        try:
            on_loop = asyncio.get_running_loop() is self.loop
        except RuntimeError:
            on_loop = False
        if on_loop:
            self._wake()
        else:
            self.loop.call_soon_threadsafe(self._wake)

    def _wake(self) -> None:
        if not self.publishing:
            self.publishing = True
            self._task = self.loop.create_task(self._publish_all())

    async def _publish_all(self) -> None:
        try:
            while self.handed_over:
                pairs: list[Send] = []
                while self.handed_over:
                    pairs.extend(self.handed_over.popleft())
                try:
                    await _publish_many(pairs)
                except Exception:
                    # The writes are committed; clients recover what they missed by seq.
                    logger.exception("publishing %d frames failed", len(pairs))
        finally:
            self.publishing = False


_publishers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, OrderedPublisher]" = weakref.WeakKeyDictionary()


def _ordered_publisher(loop: asyncio.AbstractEventLoop) -> OrderedPublisher:
    with _loops_lock:
        if loop not in _publishers:
            _publishers[loop] = OrderedPublisher(loop)
        return _publishers[loop]


async def _publish_many(pairs: list[Send]) -> None:
    """Publish every (groups, frame) pair in ONE pipelined round trip to Redis.

    channels-redis' pubsub layer publishes one message per round trip, under the same lock
    as every subscribe of the process: a busy chat process then waits on Redis once per
    message. The payloads here are exactly what its group_send would publish (same
    serializer, same group channel names, same connection pool), just pipelined; each frame
    is serialized once whatever the number of groups. Layers other than a single-shard
    pubsub layer get plain group_sends.
    """
    layer = get_channel_layer()
    loop_layer = layer._get_layer() if hasattr(layer, "_get_layer") else None
    shards = getattr(loop_layer, "_shards", None)
    if not shards or len(shards) != 1:
        # One after another: frames to the same group must keep their order.
        for groups, frame, except_channel in pairs:
            message = _message(frame, except_channel)
            for group in groups:
                await layer.group_send(group, message)
        return
    shard = shards[0]
    shard._ensure_redis()
    pipe = shard._redis.pipeline(transaction=False)
    for groups, frame, except_channel in pairs:
        payload = layer.serialize(_message(frame, except_channel))
        for group in groups:
            pipe.publish(loop_layer._get_group_channel_name(group), payload)
    # Bounded: a writer thread waiting here must never hang on a Redis that went away.
    await asyncio.wait_for(pipe.execute(), timeout=settings.REALTIME_PUBLISH_TIMEOUT_S)


def _group_send_now(groups: list[str], frame: dict[str, Any]) -> None:
    _group_send_many_now([(groups, frame, None)])


def send_to_groups(groups: Iterable[str], frame: dict[str, Any]) -> None:
    groups = list(groups)
    if groups:
        transaction.on_commit(lambda: _group_send_now(groups, frame), robust=True)


def send_many(pairs: Iterable[tuple[Iterable[str], dict[str, Any]] | tuple[Iterable[str], dict[str, Any], str | None]]) -> None:
    """Send several frames after commit in one hop to the event loop (batched writers).

    A pair may name a third item, the channel of one socket that must not get the frame
    (it already has it, e.g. in its ack).
    """
    pairs = [(list(pair[0]), pair[1], pair[2] if len(pair) > 2 else None) for pair in pairs]
    pairs = [pair for pair in pairs if pair[0]]
    if pairs:
        transaction.on_commit(lambda: _group_send_many_now(pairs), robust=True)


def send_to_users(user_ids: Iterable[int], frame: dict[str, Any]) -> None:
    send_to_groups((user_group(user_id) for user_id in user_ids), frame)


def send_to_users_from_loop(user_ids: Iterable[int], frame: dict[str, Any]) -> None:
    """From socket code on the event loop, with no transaction around it: queue the frame.

    It leaves with whatever else this loop's publisher holds, in one pipeline and in order
    with the services' frames; a failure is logged (clients recover by seq). Not through
    the layer's group_send: that waits for Redis's reply while holding the lock that every
    subscribe of the process takes. Not awaited either: in a connect storm thousands of
    sockets announcing their presence each waited for its own pipeline and connection, and
    a busy loop let those waits run past the publish timeout (755 of 5,001 closed with 4013
    once the layer's subscribes no longer queued).
    """
    groups = [user_group(user_id) for user_id in user_ids]
    if groups:
        _ordered_publisher(asyncio.get_running_loop()).hand_over([(groups, frame, None)])
