"""Publishing frames to channel-layer groups from sync code: one pipelined round trip for
many frames, in hand-over order. Touches channels-redis internals (`_get_layer`, `_shards`,
`_ensure_redis`, `_redis`, `_get_group_channel_name`): see the transport contract test."""

import asyncio
import collections
import logging
import os
import threading
import weakref
from typing import Any

from asgiref.sync import SyncToAsync
from channels.layers import get_channel_layer
from django.conf import settings

from apps.realtime.transport.channel_layer import EXCEPT_CHANNEL_KEY

FRAME_MESSAGE_TYPE = "realtime.frame"

logger = logging.getLogger(__name__)


_sender: tuple[int, asyncio.AbstractEventLoop] | None = None
# Guards the process's sender loop and its table of ordered publishers (one per server loop).
_loops_lock = threading.Lock()


def sender_loop() -> asyncio.AbstractEventLoop:
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


def server_loop() -> asyncio.AbstractEventLoop | None:
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
                    await publish_many(pairs)
                except Exception:
                    # The writes are committed; clients recover what they missed by seq.
                    logger.exception("publishing %d frames failed", len(pairs))
        finally:
            self.publishing = False


_publishers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, OrderedPublisher]" = weakref.WeakKeyDictionary()


def ordered_publisher(loop: asyncio.AbstractEventLoop) -> OrderedPublisher:
    with _loops_lock:
        if loop not in _publishers:
            _publishers[loop] = OrderedPublisher(loop)
        return _publishers[loop]


def chunk_count(pairs: list[Send]) -> int:
    """How many pipelines publish_many sends `pairs` in (each waits at most REALTIME_PUBLISH_TIMEOUT_S)."""
    return max(1, -(-len(pairs) // settings.REALTIME_PUBLISH_CHUNK))


async def publish_many(pairs: list[Send]) -> None:
    """Publish every (groups, frame) pair in pipelined round trips to Redis, in order.

    channels-redis' pubsub layer publishes one message per round trip, under the same lock
    as every subscribe of the process: a busy chat process then waits on Redis once per
    message. The payloads here are exactly what its group_send would publish (same
    serializer, same group channel names, same connection pool), just pipelined; each frame
    is serialized once whatever the number of groups. A large fan-out (a round start: a
    frame for each of 5,000 students) leaves in pipelines of REALTIME_PUBLISH_CHUNK frames,
    one after another: the first students get theirs while the rest are still serialized,
    and each pipeline's wait stays bounded however many frames there are. Layers other than
    a single-shard pubsub layer get plain group_sends.
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
    size = settings.REALTIME_PUBLISH_CHUNK
    for start in range(0, len(pairs), size):
        pipe = shard._redis.pipeline(transaction=False)
        for groups, frame, except_channel in pairs[start : start + size]:
            payload = layer.serialize(_message(frame, except_channel))
            for group in groups:
                pipe.publish(loop_layer._get_group_channel_name(group), payload)
        # Bounded: a writer thread waiting here must never hang on a Redis that went away.
        await asyncio.wait_for(pipe.execute(), timeout=settings.REALTIME_PUBLISH_TIMEOUT_S)
