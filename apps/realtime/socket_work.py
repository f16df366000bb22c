"""What a socket's connect and heartbeat do off the event loop, on the socket pool's threads."""

from typing import Any

from apps.core.redis import get_redis
from apps.realtime import presence, registry
from apps.realtime.auth import user_for_session_key
from apps.telemetry.metrics import Metric, metric_incr


def touch_socket(user_id: int, channel_name: str, writers: list) -> None:
    """The socket's presence lease and the apps' `writers`, in one pipelined round trip."""
    redis_writes = get_redis().pipeline(transaction=False)
    presence.socket_touch(user_id=user_id, channel_name=channel_name, pipe=redis_writes)
    for writer in writers:
        writer(user_id=user_id, redis_writes=redis_writes)
    redis_writes.execute()


# What `connect_sync` returns for a handshake its client gave up while it waited for a thread,
# and for one that waited longer than WEBSOCKET_CONNECT_MAX_WAIT_S.
ABANDONED = (None, None)
OVERDUE = (None, "overdue")


def connect_sync(session_key: str | None, channel_name: str, abandoned=lambda: False, overdue=lambda: False) -> tuple[Any, Any]:
    """Everything a new socket needs from PostgreSQL and Redis, in ONE off-loop hop.

    Returns (user, connect data of every app's loader), (user, None) when refused,
    ABANDONED when the client left while the hop waited in the pool's queue (the wait is
    where a reconnect storm's backlog builds up: doing the work for it only fed the backlog),
    or OVERDUE when it waited so long that its client is about to give up.
    """
    if abandoned():
        return ABANDONED
    if overdue():
        return OVERDUE
    user = user_for_session_key(session_key)
    if not user.is_authenticated or not user.is_active:
        metric_incr(Metric.WS_CONNECT_REJECTED)
        return user, None
    touch_socket(user.pk, channel_name, registry.connect_writers)
    return user, {name: loader(user_id=user.pk) for name, loader in registry.connect_loaders.items()}
