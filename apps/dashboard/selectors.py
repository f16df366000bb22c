"""Reading live metrics: the per-second dashboard snapshot, windows and the 24 h history.

The snapshot reads only pre-aggregated Redis structures (two round trips, no table scan),
so its cost does not depend on the number of users online, only on the number of
universities with someone online.
"""

import time
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.conf import settings

from apps.accounts.models import Profile, Region, University, User
from apps.core.db import fetch_prepared
from apps.core.redis import get_redis
from apps.dashboard.models import MetricMinute
from apps.telemetry.metrics import ALL, WAIT_BUCKETS_S, Metric, counters_key, gauges_key, minute_of, scope_of

WINDOW_MINUTES = 15
# Names read per minute for the snapshot's windows (dim `all` of the scope).
WINDOW_NAMES = (
    Metric.PROPOSALS,
    Metric.CONFIRMED,
    Metric.DECLINED,
    Metric.TIMED_OUT,
    Metric.MESSAGES,
    Metric.CONVERSATIONS,
    Metric.REPORTS,
    Metric.WS_CONNECTS,
    Metric.WS_DISCONNECTS,
    Metric.WS_CONNECT_REJECTED,
    Metric.LOBBY_ENTERS,
)
WAIT_FIELDS = tuple(f"{Metric.QUEUE_WAIT}:b{i}" for i in range(len(WAIT_BUCKETS_S) + 1))

# One round trip for the whole snapshot. ARGV: scope, now, current minute, window minutes,
# breakdown minutes, university rows, the arrivals counter, then the counter names. Sums are done here, next to the data: the
# reply is a few hundred small numbers whatever the number of users.
_SNAPSHOT_LUA = """
local scope, now, current = ARGV[1], ARGV[2], tonumber(ARGV[3])
local window, breakdown_minutes, university_rows = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local arrivals = ARGV[7]
local fields = {}
for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] .. '|' .. scope .. '|all' end
local sums, this_minute, last_minute = {}, {}, {}
for i = 1, #fields do sums[i] = 0 end
for m = current - window + 1, current do
  local row = redis.call('HMGET', 'mm:c:' .. m, unpack(fields))
  for i = 1, #fields do
    local v = tonumber(row[i]) or 0
    sums[i] = sums[i] + v
    if m == current then this_minute[i] = tostring(v) elseif m == current - 1 then last_minute[i] = tostring(v) end
  end
end
for i = 1, #fields do sums[i] = tostring(sums[i]) end
local prefix = 'mm:on:' .. scope .. ':'
-- Online per dim; only the top universities (by online) go back, so the reply stays small.
local rows, unis = {}, {}
for _, dim in ipairs(redis.call('SMEMBERS', prefix .. 'dims')) do
  local online = redis.call('ZCOUNT', prefix .. dim, now, '+inf')
  if string.sub(dim, 1, 2) == 'u:' then
    if online > 0 then unis[#unis + 1] = {dim, online} end
  else
    rows[#rows + 1] = {dim, online}
  end
end
table.sort(unis, function(a, b) return a[2] > b[2] end)
for i = 1, math.min(#unis, university_rows) do rows[#rows + 1] = unis[i] end
local selected = {}
for i, row in ipairs(rows) do selected[i] = row[1] end
local connects = {}
if #selected > 0 then
  for m = current - breakdown_minutes + 1, current do
    local values = redis.call('HMGET', 'mm:cd:' .. m .. ':' .. scope .. ':' .. arrivals, unpack(selected))
    for i = 1, #selected do connects[i] = (connects[i] or 0) + (tonumber(values[i]) or 0) end
  end
end
local breakdown = {}
for i, row in ipairs(rows) do
  breakdown[#breakdown + 1] = row[1]
  breakdown[#breakdown + 1] = row[2]
  breakdown[#breakdown + 1] = connects[i]
end
return {sums, this_minute, last_minute, redis.call('HGETALL', 'mm:g:' .. scope), redis.call('HGETALL', 'mm:g:all'),
        redis.call('HGETALL', 'mm:et:' .. scope), breakdown}
"""
BREAKDOWN_MINUTES = 5
_snapshot_script = None


_USER_DIMS_SQL = (
    f"SELECT p.gender, p.university_id, p.region, u.is_staff FROM {User._meta.db_table} u"  # noqa: S608
    f" LEFT JOIN {Profile._meta.db_table} p ON p.user_id = u.id WHERE u.id = %s"
)


def user_dims(*, user_id: int) -> tuple[str | None, int | None, str | None, bool]:
    """(gender, university id, region, is staff) of a user, Nones where unknown.

    A plain statement: it runs on every socket connect.
    """
    row = fetch_prepared(_USER_DIMS_SQL, [user_id], one=True)
    gender, university_id, region, is_staff = row or (None, None, None, False)
    return gender or None, university_id, region or None, bool(is_staff)


def _snapshot():
    global _snapshot_script
    if _snapshot_script is None:
        _snapshot_script = get_redis().register_script(_SNAPSHOT_LUA)
    return _snapshot_script


def _pairs(flat: list) -> dict:
    return dict(zip(flat[::2], flat[1::2], strict=True))


def histogram_quantile(counts: list[float], q: float) -> float | None:
    """The q-quantile of a fixed-bucket histogram, interpolated inside its bucket."""
    total = sum(counts)
    if total <= 0:
        return None
    rank = q * total
    cumulative = 0.0
    for index, count in enumerate(counts):
        if count and cumulative + count >= rank:
            lower = WAIT_BUCKETS_S[index - 1] if index > 0 else 0.0
            upper = WAIT_BUCKETS_S[index] if index < len(WAIT_BUCKETS_S) else WAIT_BUCKETS_S[-1] * 2
            return round(lower + (upper - lower) * (rank - cumulative) / count, 2)
        cumulative += count
    return float(WAIT_BUCKETS_S[-1])


def ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def _number(value) -> float:
    return float(value) if value not in (None, "") else 0.0


def window_counts(
    *, event_id: int | None, minutes: int, names: tuple[str, ...], now: float | None = None, offset_minutes: int = 0
) -> dict[str, float]:
    """Sums of counters over the `minutes` ending `offset_minutes` before the current one (dim all)."""
    now = time.time() if now is None else now
    scope = scope_of(event_id)
    last = minute_of(now) - offset_minutes
    fields = [f"{name}|{scope}|{ALL}" for name in names]
    pipe = get_redis().pipeline(transaction=False)
    for minute in range(last - minutes + 1, last + 1):
        pipe.hmget(counters_key(minute), fields)
    sums = dict.fromkeys(names, 0.0)
    for row in pipe.execute():
        for name, value in zip(names, row, strict=True):
            sums[name] += _number(value)
    return sums


def wait_quantiles(
    *, event_id: int | None, minutes: int = WINDOW_MINUTES, now: float | None = None
) -> tuple[float | None, float | None]:
    counts = window_counts(event_id=event_id, minutes=minutes, names=WAIT_FIELDS, now=now)
    buckets = [counts[field] for field in WAIT_FIELDS]
    return histogram_quantile(buckets, 0.5), histogram_quantile(buckets, 0.95)


def gauges(*, event_id: int | None) -> dict[str, float]:
    return {field: _number(value) for field, value in get_redis().hgetall(gauges_key(scope_of(event_id))).items()}


@lru_cache(maxsize=1)
def _university_names(cache_slot: int) -> dict[int, str]:
    return dict(University.objects.values_list("pk", "name_ko"))


def university_names(*, ids: set[int] = frozenset()) -> dict[int, str]:
    """Reference data, cached per process for 5 minutes, reloaded when an id is unknown."""
    names = _university_names(int(time.time() // 300))
    if not ids <= names.keys():
        _university_names.cache_clear()
        names = _university_names(int(time.time() // 300))
    return names


def dashboard_snapshot(*, event_id: int | None, now: float | None = None) -> dict:
    """Everything one dashboard frame shows for an event (or all events), from Redis only."""
    now = time.time() if now is None else now
    scope = scope_of(event_id)
    current = minute_of(now)
    names = (*WINDOW_NAMES, *WAIT_FIELDS)
    # Arrivals: socket connects across the site; lobby entries inside one event.
    arrivals = Metric.WS_CONNECTS if event_id is None else Metric.LOBBY_ENTERS
    sums, this_row, last_row, scope_flat, global_flat, totals_flat, breakdown = _snapshot()(
        args=[scope, now, current, WINDOW_MINUTES, BREAKDOWN_MINUTES, settings.DASHBOARD_UNIVERSITY_ROWS, arrivals, *names]
    )
    window = dict(zip(names, map(float, sums), strict=True))
    this_minute = dict(zip(names, map(float, this_row), strict=True))
    last_minute = dict(zip(names, map(float, last_row), strict=True))
    scope_gauges, global_gauges, totals = _pairs(scope_flat), _pairs(global_flat), _pairs(totals_flat)
    # Trailing 60 s: this minute so far plus the part of the previous minute still inside.
    elapsed = now - current * 60

    def trailing(name: str) -> float:
        return this_minute[name] + last_minute[name] * (1 - elapsed / 60)

    waits = [window[field] for field in WAIT_FIELDS]
    online, connects = _online_and_connects(breakdown)
    queue_m = _number(scope_gauges.get(f"{Metric.QUEUE_DEPTH}|g:M"))
    queue_f = _number(scope_gauges.get(f"{Metric.QUEUE_DEPTH}|g:F"))
    online_m, online_f = online.get("g:M", 0), online.get("g:F", 0)
    confirmed_total = _number(totals.get(Metric.CONFIRMED))
    return {
        "event": event_id,
        "ts": int(now * 1000),
        "tiles": {
            "online": online.get(ALL, 0),
            "online_m": online_m,
            "online_f": online_f,
            "gender_ratio_online": ratio(online_m, online_f),
            "queue_total": int(queue_m + queue_f),
            "queue_m": int(queue_m),
            "queue_f": int(queue_f),
            "gender_ratio_queue": ratio(queue_m, queue_f),
            "proposals_15m": int(window[Metric.PROPOSALS]),
            "confirmed_15m": int(window[Metric.CONFIRMED]),
            "match_success_rate_15m": ratio(window[Metric.CONFIRMED], window[Metric.PROPOSALS]),
            "confirmed_total": int(confirmed_total),
            "conversation_rate": ratio(_number(totals.get(Metric.CONVERSATIONS)), confirmed_total),
            "wait_p50_s": histogram_quantile(waits, 0.5),
            "wait_p95_s": histogram_quantile(waits, 0.95),
            "messages_per_s": round(trailing(Metric.MESSAGES) / 60, 2),
            "messages_1m": round(trailing(Metric.MESSAGES)),
            "reports_15m": int(window[Metric.REPORTS]),
            "moderation_backlog": int(_number(global_gauges.get(f"{Metric.MODERATION_BACKLOG}|{ALL}"))),
            "connects_1m": int(trailing(arrivals)),
            "disconnects_1m": int(trailing(Metric.WS_DISCONNECTS)),
        },
        "regions": [
            {"code": code, "online": online.get(f"r:{code}", 0), "connects_5m": connects.get(f"r:{code}", 0)}
            for code in Region.values
        ],
        "universities": _university_rows(online, connects),
    }


def _online_and_connects(breakdown: list) -> tuple[dict[str, int], dict[str, int]]:
    """The snapshot script's breakdown (dim, online, connects, dim, …) as two dicts by dim."""
    online: dict[str, int] = {}
    connects: dict[str, int] = {}
    for index in range(0, len(breakdown), 3):
        dim = breakdown[index]
        online[dim] = int(breakdown[index + 1])
        connects[dim] = int(breakdown[index + 2])
    return online, connects


def _university_rows(online: dict[str, int], connects: dict[str, int]) -> list[dict]:
    """The universities with the most users online (ties: recent connects, then name)."""
    names_by_id = university_names(ids={int(dim[2:]) for dim in online if dim.startswith("u:")})
    return sorted(
        (
            {
                "id": int(dim[2:]),
                "name": names_by_id.get(int(dim[2:]), dim[2:]),
                "online": count,
                "connects_5m": connects.get(dim, 0),
            }
            for dim, count in online.items()
            if dim.startswith("u:")
        ),
        key=lambda row: (-row["online"], -row["connects_5m"], row["name"]),
    )[: settings.DASHBOARD_UNIVERSITY_ROWS]


def history_series(*, event_id: int | None, hours: int = 24, now: datetime | None = None) -> dict:
    """Per-minute values of the dashboard's main series from PostgreSQL, for the last `hours`."""
    now = now or datetime.now(UTC)
    since = now - timedelta(hours=hours)
    names = [
        Metric.CONFIRMED,
        Metric.PROPOSALS,
        Metric.MESSAGES,
        Metric.WS_CONNECTS,
        Metric.REPORTS,
        "online",
        f"{Metric.QUEUE_DEPTH}",
    ]
    rows = (
        MetricMinute.objects.filter(scope=scope_of(event_id), dim=ALL, name__in=names, minute__gte=since)
        .order_by("minute")
        .values_list("minute", "name", "value")
    )
    series: dict[str, list[list]] = {name: [] for name in names}
    for minute, name, value in rows:
        series[name].append([int(minute.timestamp() * 1000), value])
    # Counters add up over the window; people (gauges sampled each minute) are shown at their peak.
    people = {"online", Metric.QUEUE_DEPTH}
    totals = {
        name: round(max((value for _, value in points), default=0) if name in people else sum(value for _, value in points))
        for name, points in series.items()
    }
    return {
        "event": event_id,
        "from": int(since.timestamp() * 1000),
        "to": int(now.timestamp() * 1000),
        "series": series,
        "totals": totals,
    }
