"""Recording live business metrics in Redis, cheaply enough for hot paths.

Every call is one round trip (a Lua script or a non-transactional pipeline) doing O(1)
work, so services call these inline: `metric_incr("proposals", event_id=..., user_id=...)`.

Layout (all keys under `mm:`; see docs/metrics.md for what each name means):
- `mm:c:<minute>` hash of per-minute counters, field `<name>|<scope>|<dim>`, kept 48 h.
  `scope` is `all` or an event id; `dim` is `all`, `g:<gender>`, `r:<region>` or
  `u:<university id>`. A user's dims are looked up in `mm:udims` (written at connect), so
  callers pass `user_id=` and never load the profile themselves.
- `mm:tot` hash of all-time totals per `<name>|<dim>` (no event, no university), which
  Prometheus exports as counters: Redis is the single writer, so every process agrees.
- `mm:et:<scope>` hash of running totals per event (and `all`), field `<name>`.
- `mm:g:<scope>` hash of gauges, field `<name>|<dim>` (set or added to by the owner).
- `mm:on:<scope>:<dim>` sorted set of online users scored by lease expiry, with the index
  `mm:on:<scope>:dims`; leases fade on their own like `apps.realtime.presence`.
- Histograms (wait times) are counters too: one field per fixed bucket plus `:sum` and
  `:count`, so minutes, events and regions merge by addition.
"""

import bisect
import time
from collections.abc import Iterable

from django.conf import settings

from apps.core.redis import get_redis, run_script

ALL = "all"


class Metric:
    """Names of the recorded metrics (docs/metrics.md defines each)."""

    WS_CONNECTS = "ws_connects"
    WS_DISCONNECTS = "ws_disconnects"
    WS_CONNECT_REJECTED = "ws_connect_rejected"
    LOBBY_ENTERS = "lobby_enters"
    PROPOSALS = "proposals"
    CONFIRMED = "matches_confirmed"
    DECLINED = "proposals_declined"
    TIMED_OUT = "proposals_timed_out"
    QUEUE_WAIT = "queue_wait_s"
    MESSAGES = "messages"
    CONVERSATIONS = "conversations"
    REPORTS = "reports"
    # Gauges (owned by the code that knows the truth, set with gauge_set/gauges_set).
    QUEUE_DEPTH = "queue_depth"
    MODERATION_BACKLOG = "moderation_backlog"
    MODERATION_OLDEST_TS = "moderation_oldest_pending_ts"
    RECONCILE_MISMATCHES = "reconcile_mismatches"


USER_DIMS_KEY = "mm:udims"
STAFF_KEY = "mm:staff"
USER_EVENT_KEY = "mm:uevent"
ONLINE_KEYS = [USER_DIMS_KEY, STAFF_KEY, USER_EVENT_KEY]
TOTALS_KEY = "mm:tot"
DIRTY_MINUTES_KEY = "mm:c:dirty"

# Upper bounds (seconds) of the wait-time histogram buckets; the last bucket is open.
WAIT_BUCKETS_S: tuple[float, ...] = (1, 2, 3, 5, 7.5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 300, 600)


def minute_of(ts: float) -> int:
    return int(ts // 60)


def counters_key(minute: int) -> str:
    return f"mm:c:{minute}"


def event_totals_key(scope: str) -> str:
    return f"mm:et:{scope}"


def gauges_key(scope: str) -> str:
    return f"mm:g:{scope}"


def online_key(scope: str, dim: str) -> str:
    return f"mm:on:{scope}:{dim}"


def online_dims_key(scope: str) -> str:
    return f"mm:on:{scope}:dims"


def scope_of(event_id: int | None) -> str:
    return ALL if event_id is None else str(int(event_id))


def dims_of(*, gender: str | None = None, university_id: int | None = None, region: str | None = None) -> list[str]:
    dims = []
    if gender:
        dims.append(f"g:{gender}")
    if region:
        dims.append(f"r:{region}")
    if university_id:
        dims.append(f"u:{int(university_id)}")
    return dims


# ARGV: counters key, ttl, totals key, dirty key, minute, scope, user id ('' for none),
# explicit dims (comma separated), then (name, amount) pairs. Dims come from mm:udims
# when a user id is given, so one call updates every breakdown of the metric.
_INCR_LUA = """
local ckey, ttl, tkey, dkey = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4]
local minute, scope, uid, explicit = ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local dims = {'all'}
local source = explicit
if uid ~= '' then
  local stored = redis.call('HGET', KEYS[1], uid)
  if stored then source = stored end
end
for dim in string.gmatch(source, '[^,]+') do dims[#dims + 1] = dim end
local scopes = {'all'}
if scope ~= 'all' then scopes[2] = scope end
for i = 9, #ARGV, 2 do
  local name, amount = ARGV[i], ARGV[i + 1]
  local integral = string.find(amount, '%.') == nil
  for _, s in ipairs(scopes) do
    for _, dim in ipairs(dims) do
      local field = name .. '|' .. s .. '|' .. dim
      if integral then redis.call('HINCRBY', ckey, field, amount) else redis.call('HINCRBYFLOAT', ckey, field, amount) end
    end
  end
  if name == 'ws_connects' or name == 'lobby_enters' then
    -- Arrivals per region/university: a small per-minute hash of dims, read by the snapshot.
    for _, s in ipairs(scopes) do
      local bkey = 'mm:cd:' .. minute .. ':' .. s .. ':' .. name
      for _, dim in ipairs(dims) do redis.call('HINCRBY', bkey, dim, amount) end
      redis.call('EXPIRE', bkey, ttl)
    end
  end
  for _, dim in ipairs(dims) do
    if string.sub(dim, 1, 2) ~= 'u:' then
      local field = name .. '|' .. dim
      if integral then redis.call('HINCRBY', tkey, field, amount) else redis.call('HINCRBYFLOAT', tkey, field, amount) end
    end
  end
  if scope ~= 'all' then
    local ekey = 'mm:et:' .. scope
    if integral then redis.call('HINCRBY', ekey, name, amount) else redis.call('HINCRBYFLOAT', ekey, name, amount) end
    redis.call('EXPIRE', ekey, ttl * 15)
  end
  if integral then redis.call('HINCRBY', 'mm:et:all', name, amount) else redis.call('HINCRBYFLOAT', 'mm:et:all', name, amount) end
end
redis.call('EXPIRE', ckey, ttl)
redis.call('SADD', dkey, minute)
return 1
"""

# ARGV: scope, user id, lease expiry, then optional explicit dims. Touch (or, with expiry
# '-', remove) the user in every online set of the scope.
# KEYS: user dims, staff set, user → event. ARGV: scope, user id, lease expiry or '-' to leave.
# Staff are never online students. A user touched in an event is remembered there, so the
# site-wide lease (socket connect and heartbeat) also keeps them online in that event while
# they chat in its rooms, and leaving the site leaves the event too.
_ONLINE_LUA = """
local scope, uid, expires = ARGV[1], ARGV[2], ARGV[3]
if expires ~= '-' and redis.call('SISMEMBER', KEYS[2], uid) == 1 then return 0 end
local scopes = {scope}
if scope == 'all' then
  local event = redis.call('HGET', KEYS[3], uid)
  if event then scopes[2] = event end
elseif expires ~= '-' then
  redis.call('HSET', KEYS[3], uid, scope)
end
local dims = {'all'}
local stored = redis.call('HGET', KEYS[1], uid)
if stored then for dim in string.gmatch(stored, '[^,]+') do dims[#dims + 1] = dim end end
for _, s in ipairs(scopes) do
  local prefix = 'mm:on:' .. s .. ':'
  for _, dim in ipairs(dims) do
    if expires == '-' then
      redis.call('ZREM', prefix .. dim, uid)
    else
      redis.call('ZADD', prefix .. dim, expires, uid)
      redis.call('SADD', prefix .. 'dims', dim)
    end
  end
end
return #dims
"""

_incr_script = None
_online_script = None


def _scripts():
    global _incr_script, _online_script
    if _incr_script is None:
        client = get_redis()
        _incr_script = client.register_script(_INCR_LUA)
        _online_script = client.register_script(_ONLINE_LUA)
    return _incr_script, _online_script


def _amount(value: float | str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _record(pairs: Iterable[tuple[str, float]], *, event_id, user_id, gender, university_id, region, at, client=None) -> None:
    now = time.time() if at is None else at
    minute = minute_of(now)
    args: list = [
        counters_key(minute),
        settings.METRICS_RETENTION_S,
        TOTALS_KEY,
        DIRTY_MINUTES_KEY,
        minute,
        scope_of(event_id),
        "" if user_id is None else str(int(user_id)),
        ",".join(dims_of(gender=gender, university_id=university_id, region=region)),
    ]
    for name, amount in pairs:
        args.extend((name, _amount(amount)))
    run_script(_scripts()[0], keys=[USER_DIMS_KEY], args=args, client=client)


def metric_incr(
    name: str,
    *,
    event_id: int | None = None,
    user_id: int | None = None,
    gender: str | None = None,
    university_id: int | None = None,
    region: str | None = None,
    by: int = 1,
    at: float | None = None,
    client=None,
) -> None:
    """Count `by` occurrences of `name` in the current minute, in every breakdown.

    Pass `user_id` to break down by that user's gender/university/region (as registered
    at connect), or the dims explicitly. `at` is for tests and backfills only; `client` a
    pipeline to queue the write on.
    """
    _record(
        [(name, by)],
        event_id=event_id,
        user_id=user_id,
        gender=gender,
        university_id=university_id,
        region=region,
        at=at,
        client=client,
    )


def metric_incr_many(name: str, *, occurrences: Iterable[tuple[int | None, int | None]], client=None) -> None:
    """Count one `name` per (event id, user id) in one pipelined round trip (e.g. a batch of proposals).

    With `client` (a pipeline) the writes are only queued on it: the caller's own commands
    share the round trip.
    """
    occurrences = list(occurrences)
    if not occurrences:
        return
    pipe = client if client is not None else get_redis().pipeline(transaction=False)
    now = time.time()
    for event_id, user_id in occurrences:
        _record(
            [(name, 1)], event_id=event_id, user_id=user_id, gender=None, university_id=None, region=None, at=now, client=pipe
        )
    if client is None:
        pipe.execute()


def wait_bucket_index(seconds: float) -> int:
    return bisect.bisect_left(WAIT_BUCKETS_S, seconds)


def metric_observe(
    name: str,
    value: float,
    *,
    event_id: int | None = None,
    user_id: int | None = None,
    gender: str | None = None,
    university_id: int | None = None,
    region: str | None = None,
    at: float | None = None,
) -> None:
    """Add one observation (e.g. a queue wait in seconds) to the histogram `name`."""
    value = max(0.0, float(value))
    pairs = [(f"{name}:b{wait_bucket_index(value)}", 1), (f"{name}:count", 1), (f"{name}:sum", f"{value:.3f}")]
    _record(pairs, event_id=event_id, user_id=user_id, gender=gender, university_id=university_id, region=region, at=at)


def gauge_set(name: str, value: float, *, event_id: int | None = None, dim: str = ALL) -> None:
    """Set a gauge the caller owns the truth of (e.g. queue depth read from the queue)."""
    get_redis().hset(gauges_key(scope_of(event_id)), f"{name}|{dim}", _amount(value))


def gauges_set(values: dict[str, float], *, event_id: int | None = None) -> None:
    """Set several `<name>|<dim>` gauges of one scope in one round trip."""
    if values:
        get_redis().hset(gauges_key(scope_of(event_id)), mapping={field: _amount(v) for field, v in values.items()})


# ARGV: name, part, value. Sets `<name>|<part>` and `<name>|all` = the sum of every
# `<name>|src:*` part, so several reconcilers feed one gauge without overwriting each other.
_PART_LUA = """
local name, part = ARGV[1], ARGV[2]
redis.call('HSET', KEYS[1], name .. '|' .. part, ARGV[3])
local prefix = name .. '|src:'
local total = 0
local fields = redis.call('HGETALL', KEYS[1])
for i = 1, #fields, 2 do
  if string.sub(fields[i], 1, #prefix) == prefix then total = total + tonumber(fields[i + 1]) end
end
redis.call('HSET', KEYS[1], name .. '|all', total)
return total
"""


_part_script = None


def gauge_part_set(name: str, source: str, value: float, *, event_id: int | None = None) -> float:
    """Set one source's share of a summed gauge (dim `src:<source>`); `<name>|all` becomes the sum.

    The global gauges hash holds a handful of fields, so the sum is O(1) in practice.
    """
    global _part_script
    if _part_script is None:
        _part_script = get_redis().register_script(_PART_LUA)
    total = _part_script(keys=[gauges_key(scope_of(event_id))], args=[name, f"src:{source}", _amount(value)])
    return float(total)


def user_dims_set(
    *, user_id: int, gender: str | None, university_id: int | None, region: str | None, is_staff: bool = False, client=None
) -> None:
    """Remember the user's breakdown dims (and whether they are staff, never counted online)."""
    dims = ",".join(dims_of(gender=gender, university_id=university_id, region=region))
    client = client or get_redis()
    client.hset(USER_DIMS_KEY, str(int(user_id)), dims)
    if is_staff:
        client.sadd(STAFF_KEY, str(int(user_id)))
    else:
        client.srem(STAFF_KEY, str(int(user_id)))


def online_touch(*, user_id: int, event_id: int | None = None, client=None) -> None:
    """Count the user online (in the event, or anywhere) for the next PRESENCE_TTL_S."""
    args = [scope_of(event_id), str(int(user_id)), time.time() + settings.PRESENCE_TTL_S]
    run_script(_scripts()[1], keys=ONLINE_KEYS, args=args, client=client)


def online_leave(*, user_id: int, event_id: int | None = None) -> None:
    _, online = _scripts()
    online(keys=ONLINE_KEYS, args=[scope_of(event_id), str(int(user_id)), "-"])


def online_prune(*, event_id: int | None = None) -> int:
    """Drop expired leases of a scope (every minute by the flush task); return how many."""
    client = get_redis()
    scope = scope_of(event_id)
    dims = client.smembers(online_dims_key(scope))
    pipe = client.pipeline(transaction=False)
    now = time.time()
    for dim in dims:
        pipe.zremrangebyscore(online_key(scope, dim), "-inf", now)
    return sum(pipe.execute()) if dims else 0
