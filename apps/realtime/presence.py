"""Who is connected, from socket lifecycles and heartbeats, kept in Redis.

Each open socket is a member of its user's sorted set, scored by the time its lease
expires; heartbeats push the lease forward. A crashed pod's sockets therefore fade out on
their own after PRESENCE_TTL_S, with no cleanup job. A user is online while any of their
sockets holds a live lease (two tabs: online until both are gone).
"""

import time

from django.conf import settings

from apps.core.redis import get_redis

ONLINE_USERS_KEY = "presence:online"


def _sockets_key(user_id: int) -> str:
    return f"presence:sockets:{user_id}"


def _last_seen_key(user_id: int) -> str:
    return f"presence:last_seen:{user_id}"


def socket_touch(*, user_id: int, channel_name: str, pipe=None) -> None:
    """Record that a socket is open (on connect and on every heartbeat); with `pipe`, only
    queue the writes on the caller's pipeline."""
    now = time.time()
    expires_at = now + settings.PRESENCE_TTL_S
    own = pipe is None
    pipe = get_redis().pipeline(transaction=False) if own else pipe
    pipe.zadd(_sockets_key(user_id), {channel_name: expires_at})
    pipe.zremrangebyscore(_sockets_key(user_id), "-inf", now)
    pipe.expire(_sockets_key(user_id), settings.PRESENCE_TTL_S * 2)
    pipe.zadd(ONLINE_USERS_KEY, {str(user_id): expires_at})
    pipe.set(_last_seen_key(user_id), int(now), ex=60 * 60 * 24 * 30)
    if own:
        pipe.execute()


def socket_closed(*, user_id: int, channel_name: str) -> bool:
    """Forget a socket; return True when it was the user's last live one."""
    now = time.time()
    client = get_redis()
    pipe = client.pipeline(transaction=False)
    pipe.zrem(_sockets_key(user_id), channel_name)
    pipe.zremrangebyscore(_sockets_key(user_id), "-inf", now)
    pipe.zcard(_sockets_key(user_id))
    pipe.set(_last_seen_key(user_id), int(now), ex=60 * 60 * 24 * 30)
    remaining = pipe.execute()[2]
    if remaining == 0:
        client.zrem(ONLINE_USERS_KEY, str(user_id))
        return True
    return False


def user_is_online(*, user_id: int) -> bool:
    return get_redis().zcount(_sockets_key(user_id), time.time(), "+inf") > 0


def users_live_and_last_seen(*, user_ids: list[int]) -> list[tuple[bool, int | None]]:
    """(online, last seen) per user, in one round trip."""
    pipe = get_redis().pipeline(transaction=False)
    queue_live_and_last_seen(pipe, user_ids=user_ids)
    return parse_live_and_last_seen(pipe.execute())


def queue_live_and_last_seen(pipe, *, user_ids: list[int]) -> None:
    """Queue the reads of users_live_and_last_seen on a caller's pipeline (2 results per user)."""
    now = time.time()
    for user_id in user_ids:
        pipe.zcount(_sockets_key(user_id), now, "+inf")
        pipe.get(_last_seen_key(user_id))


def parse_live_and_last_seen(values: list) -> list[tuple[bool, int | None]]:
    return [(values[i] > 0, int(values[i + 1]) if values[i + 1] else None) for i in range(0, len(values), 2)]


def user_last_seen(*, user_id: int) -> int | None:
    value = get_redis().get(_last_seen_key(user_id))
    return int(value) if value else None


def online_user_count() -> int:
    client = get_redis()
    now = time.time()
    client.zremrangebyscore(ONLINE_USERS_KEY, "-inf", now)
    return client.zcard(ONLINE_USERS_KEY)


def user_has_other_live_socket(*, user_id: int, channel_name: str) -> bool:
    """True when another of the user's sockets holds a live lease (asked before this one closes)."""
    now = time.time()
    live = get_redis().zrangebyscore(_sockets_key(user_id), now, "+inf")
    return any(name != channel_name for name in live)
