"""Presence: one store of leases in Redis, by scope.

A scope is a sorted set whose members hold a lease until the time they are scored with;
touching a member pushes its lease forward, so a crashed pod's sockets fade out on their
own after PRESENCE_TTL_S, with no cleanup job. The scopes:

- `sockets:<user>`: the user's open sockets (channel names). A user is online while any of
  them holds a live lease (two tabs: online until both are gone);
- `online`: users with a live socket anywhere;
- `lobby:<event>`: users showing the event's lobby (apps/events);
- `away`: users whose tab is hidden (apps/chat: partners see "away").

Beside the leases, each user's last-seen time.
"""

import functools
import time

from django.conf import settings

from apps.core.redis import get_redis, run_script

ONLINE = "online"
AWAY = "away"


def scope_key(scope: str) -> str:
    return f"presence:{scope}"


def lobby_scope(event_id: int) -> str:
    return f"lobby:{event_id}"


def _sockets_scope(user_id: int) -> str:
    return f"sockets:{user_id}"


ONLINE_USERS_KEY = scope_key(ONLINE)


def _sockets_key(user_id: int) -> str:
    return scope_key(_sockets_scope(user_id))


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


# KEYS: users' socket sets; ARGV[1]: now. 1 for each user with a live socket lease, else 0.
_USERS_LIVE = """
local live = {}
for i, key in ipairs(KEYS) do
    live[i] = redis.call('ZCOUNT', key, ARGV[1], '+inf') > 0 and 1 or 0
end
return live
"""


@functools.cache
def _users_live_script():
    return get_redis().register_script(_USERS_LIVE)


def users_live(*, user_ids: list[int]) -> list[bool]:
    """Whether each user has a live socket, for thousands at once (a round start): one script
    call, where a pipeline of one command per user cost the caller most of its Redis CPU."""
    if not user_ids:
        return []
    keys = [_sockets_key(user_id) for user_id in user_ids]
    return [bool(live) for live in run_script(_users_live_script(), keys=keys, args=[time.time()])]


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


# Leases in any scope ----------------------------------------------------------------------


def lease_enter(scope: str, member: int | str, *, ttl_s: float | None = None) -> bool:
    """Give `member` a lease in `scope` for `ttl_s` (default PRESENCE_TTL_S) and drop the
    expired ones; True when it held no lease before (it just arrived)."""
    now = time.time()
    key = scope_key(scope)
    pipe = get_redis().pipeline(transaction=False)
    pipe.zremrangebyscore(key, "-inf", now)
    pipe.zadd(key, {str(member): now + (settings.PRESENCE_TTL_S if ttl_s is None else ttl_s)})
    return bool(pipe.execute()[1])


def lease_leave(scope: str, member: int | str) -> None:
    get_redis().zrem(scope_key(scope), str(member))


def lease_count(scope: str) -> int:
    """Members of `scope` holding a live lease."""
    return get_redis().zcount(scope_key(scope), time.time(), "+inf")


def lease_members(scope: str) -> list[str]:
    """The members of `scope` holding a live lease."""
    return get_redis().zrangebyscore(scope_key(scope), time.time(), "+inf")


def lease_known(scope: str, member: int | str) -> bool:
    """Whether `member` has a lease in `scope`, live or not yet swept."""
    return get_redis().zscore(scope_key(scope), str(member)) is not None


def queue_lease_expiry(pipe, scope: str, member: int | str) -> None:
    """Queue the read of a member's lease expiry on a caller's pipeline (see lease_is_live)."""
    pipe.zscore(scope_key(scope), str(member))


def lease_is_live(expiry, now: float) -> bool:
    return expiry is not None and float(expiry) > now


def socket_lease_counts(*, user_id: int, channel_name: str) -> tuple[int, bool]:
    """(the user's sockets with a live lease, whether this socket's own lease is one of them)."""
    now = time.time()
    pipe = get_redis().pipeline(transaction=False)
    pipe.zcount(_sockets_key(user_id), now, "+inf")
    queue_lease_expiry(pipe, _sockets_scope(user_id), channel_name)
    live, own_expiry = pipe.execute()
    return live, lease_is_live(own_expiry, now)
