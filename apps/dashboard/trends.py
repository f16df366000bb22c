"""The live dashboard's short trend, kept server-side.

The publisher already computes one snapshot per scope every second; each one also becomes
the point of its `DASHBOARD_TREND_BUCKET_S` bucket (the latest snapshot of a bucket wins) in
a Redis sorted set per scope, scored by bucket and trimmed to `DASHBOARD_TREND_WINDOW_S`.
So a page opened now draws the whole window at once and then appends the live frames,
whatever the number of viewers (one write per scope and bucket, one read per page load).
Points hold whole numbers: students online, students in the queue, messages in the last minute.
"""

import json
import math

from django.conf import settings

from apps.core.redis import get_redis
from apps.telemetry.metrics import scope_of

TREND_KEY = "mm:dash:trend:{scope}"
SERIES = ("online", "queue", "messages_1m")


def _buckets_kept() -> int:
    return math.ceil(settings.DASHBOARD_TREND_WINDOW_S / settings.DASHBOARD_TREND_BUCKET_S)


def trend_point(snapshot: dict) -> dict:
    tiles = snapshot["tiles"]
    return {"online": int(tiles["online"]), "queue": int(tiles["queue_total"]), "messages_1m": int(tiles["messages_1m"])}


def trend_record(*, snapshot: dict, now: float, pipe) -> None:
    """Queue on `pipe` the snapshot as its bucket's point, and drop what left the window."""
    bucket = int(now // settings.DASHBOARD_TREND_BUCKET_S)
    key = TREND_KEY.format(scope=scope_of(snapshot["event"]))
    member = json.dumps({"b": bucket, **trend_point(snapshot)}, separators=(",", ":"))
    pipe.zremrangebyscore(key, bucket, bucket)
    pipe.zadd(key, {member: bucket})
    pipe.zremrangebyscore(key, "-inf", bucket - _buckets_kept())
    pipe.expire(key, settings.DASHBOARD_TREND_WINDOW_S * 2)


def trend_window(*, event_id: int | None, now: float) -> dict:
    """Every bucket of the window ending now, oldest first: `t` (the bucket's start, epoch ms)
    and each series, or None where no snapshot was published (nobody was counting then)."""
    bucket_s = settings.DASHBOARD_TREND_BUCKET_S
    last = int(now // bucket_s)
    first = last - _buckets_kept() + 1
    stored = get_redis().zrangebyscore(TREND_KEY.format(scope=scope_of(event_id)), first, last)
    by_bucket = {point["b"]: point for point in map(json.loads, stored)}
    points = []
    for bucket in range(first, last + 1):
        point = by_bucket.get(bucket, {})
        points.append({"t": bucket * bucket_s * 1000, **{name: point.get(name) for name in SERIES}})
    return {"event": event_id, "bucket_s": bucket_s, "window_s": settings.DASHBOARD_TREND_WINDOW_S, "points": points}
