"""Sending frames to groups, only once the surrounding transaction has committed.

Services call these; consumers never broadcast on their own. Outside a transaction the
frame leaves at once (Django runs on_commit callbacks immediately in autocommit mode).
"""

import asyncio
import os
import threading
from collections.abc import Iterable
from typing import Any

from channels.layers import get_channel_layer
from django.db import transaction

from apps.realtime.protocol import user_group

FRAME_MESSAGE_TYPE = "realtime.frame"


_sender: tuple[int, asyncio.AbstractEventLoop] | None = None
_sender_lock = threading.Lock()


def _sender_loop() -> asyncio.AbstractEventLoop:
    """One long-lived event loop per process for sends from sync code (services, Celery workers).

    async_to_sync outside an event loop builds a new loop, and with it a new Redis
    connection, for every call (~3 ms each, measured); a kept loop keeps the layer's connection.
    """
    global _sender
    with _sender_lock:
        if _sender is None or _sender[0] != os.getpid():
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="realtime-sender", daemon=True).start()
            _sender = (os.getpid(), loop)
        return _sender[1]


def _group_send_many_now(pairs: list[tuple[list[str], dict[str, Any]]]) -> None:
    layer = get_channel_layer()

    async def send_all() -> None:
        # One after another: frames to the same group must keep their order.
        for groups, frame in pairs:
            message = {"type": FRAME_MESSAGE_TYPE, "frame": frame}
            for group in groups:
                await layer.group_send(group, message)

    asyncio.run_coroutine_threadsafe(send_all(), _sender_loop()).result(timeout=30)


def _group_send_now(groups: list[str], frame: dict[str, Any]) -> None:
    _group_send_many_now([(groups, frame)])


def send_to_groups(groups: Iterable[str], frame: dict[str, Any]) -> None:
    groups = list(groups)
    if groups:
        transaction.on_commit(lambda: _group_send_now(groups, frame))


def send_many(pairs: Iterable[tuple[Iterable[str], dict[str, Any]]]) -> None:
    """Send several frames after commit in one hop to the event loop (batched writers)."""
    pairs = [(list(groups), frame) for groups, frame in pairs]
    pairs = [(groups, frame) for groups, frame in pairs if groups]
    if pairs:
        transaction.on_commit(lambda: _group_send_many_now(pairs))


def send_to_users(user_ids: Iterable[int], frame: dict[str, Any]) -> None:
    send_to_groups((user_group(user_id) for user_id in user_ids), frame)
