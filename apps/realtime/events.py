"""Sending frames to groups, only once the surrounding transaction has committed.

Services call these; consumers never broadcast on their own. Outside a transaction the
frame leaves at once (Django runs on_commit callbacks immediately in autocommit mode).
The callbacks are robust: a publish that fails (Redis restarting) is logged and never turns
a committed write into an error; clients recover what they missed by seq (resume/range).
"""

import asyncio
from collections.abc import Iterable
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.realtime.protocol import ErrorFrame, HelloFrame, PongFrame, user_group
from apps.realtime.transport import publisher


def _group_send_many_now(pairs: list[publisher.Send]) -> None:
    server_loop = publisher.server_loop()
    if server_loop is not None:
        # Hand the frames to the server's loop and go on with the next batch. Waiting here
        # kept every batch (and every ack behind it) queued behind the busy loop's next turn
        # and a Redis round trip.
        publisher.ordered_publisher(server_loop).hand_over(pairs)
        return
    future = asyncio.run_coroutine_threadsafe(publisher.publish_many(pairs), publisher.sender_loop())
    future.result(timeout=settings.REALTIME_PUBLISH_TIMEOUT_S * publisher.chunk_count(pairs) + 1)


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
        publisher.ordered_publisher(asyncio.get_running_loop()).hand_over([(groups, frame, None)])


# The gateway's own frames, sent by the gateway to one socket -------------------------------


def hello_frame(*, user_id: int) -> HelloFrame:
    return {
        "type": "hello",
        "user_id": user_id,
        "heartbeat_interval_s": settings.WEBSOCKET_HEARTBEAT_INTERVAL_S,
        "server_time": timezone.now().isoformat(),
    }


def pong_frame() -> PongFrame:
    return {"type": "pong", "server_time": timezone.now().isoformat()}


def error_frame(*, code: str, message: str, ref: str | None = None, **extra: Any) -> ErrorFrame:
    """A refused frame: its code, a translated message, the client's `ref`, and any extra
    fields that are set (`field`, `retry_after_s`, …)."""
    frame: ErrorFrame = {"type": "error", "code": code, "message": message}
    if ref is not None:
        frame["ref"] = ref
    frame.update({key: value for key, value in extra.items() if value is not None})
    return frame


# Ending sessions: a layer message to the user's sockets, not a frame -----------------------

SESSION_END_MESSAGE_TYPE = "session.end"


async def _sessions_end_publish(group: str, message: dict[str, Any]) -> None:
    await get_channel_layer().group_send(group, message)


def user_sessions_end(*, user_id: int, keep_session_digest: str, code: int, reason: str) -> None:
    """After commit, close every open socket of the user except those of the session whose key
    hashes to `keep_session_digest` (sha256 hex), with `code` (protocol.CLOSE_*) and `reason`.

    Rare (a password change), so a plain group_send on the process's sender loop, waited for:
    the change is committed either way, and a failed publish is logged, never raised.
    """
    message = {"type": SESSION_END_MESSAGE_TYPE, "keep": keep_session_digest, "code": code, "reason": reason}

    def publish() -> None:
        future = asyncio.run_coroutine_threadsafe(_sessions_end_publish(user_group(user_id), message), publisher.sender_loop())
        future.result(timeout=settings.REALTIME_PUBLISH_TIMEOUT_S + 1)

    transaction.on_commit(publish, robust=True)
