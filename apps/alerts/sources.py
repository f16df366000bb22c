"""Series that alert rules compare against their threshold: `{name: fn(now) -> [(labels, value)]}`.

Each function reads the live metrics in Redis (never a table scan) and returns one series
per scope it watches: usually `event=all` plus one per live event. A scope without enough
data returns no series, which resolves any alert on it.
"""

import time
from collections.abc import Callable

from django.conf import settings

from apps.core.redis import get_redis
from apps.dashboard import selectors
from apps.events.selectors import event_live_list
from apps.telemetry.metrics import ALL, Metric, minute_of

Series = list[tuple[dict[str, str], float]]
WORKERS_KEY = "mm:workers"
WAIT_P95_WINDOW_MINUTES = 5
GENDER_RATIO_MIN_QUEUE = 10
MATCHLESS_WINDOW_MINUTES = 2
SUCCESS_RATE_WINDOW_MINUTES = 15
SUCCESS_RATE_MIN_PROPOSALS = 10
REPORTS_WINDOW_MINUTES = 5
QUEUE_STATE_LOST_WINDOW_S = 15 * 60


def _scopes() -> list[int | None]:
    return [None, *(event.pk for event in event_live_list())]


def _event_label(event_id: int | None) -> dict[str, str]:
    return {"event": ALL if event_id is None else str(event_id)}


def _queue(event_id: int | None) -> tuple[float, float]:
    gauges = selectors.gauges(event_id=event_id)
    return gauges.get(f"{Metric.QUEUE_DEPTH}|g:M", 0.0), gauges.get(f"{Metric.QUEUE_DEPTH}|g:F", 0.0)


def queue_wait_p95_s(now: float) -> Series:
    series = []
    for event_id in _scopes():
        _, p95 = selectors.wait_quantiles(event_id=event_id, minutes=WAIT_P95_WINDOW_MINUTES, now=now)
        if p95 is not None:
            series.append((_event_label(event_id), p95))
    return series


def queue_gender_ratio(now: float) -> Series:
    """Larger gender over smaller one in the queue, once the queue holds GENDER_RATIO_MIN_QUEUE."""
    series = []
    for event_id in _scopes():
        men, women = _queue(event_id)
        if men + women >= GENDER_RATIO_MIN_QUEUE:
            series.append((_event_label(event_id), round(max(men, women) / max(min(men, women), 1.0), 2)))
    return series


def matchless_queue_depth(now: float) -> Series:
    """The queue depth when no match was confirmed in the last MATCHLESS_WINDOW_MINUTES full minutes and this one, else 0."""
    series = []
    for event_id in _scopes():
        confirmed = selectors.window_counts(
            event_id=event_id, minutes=MATCHLESS_WINDOW_MINUTES + 1, names=(Metric.CONFIRMED,), now=now
        )
        men, women = _queue(event_id)
        series.append((_event_label(event_id), 0.0 if confirmed[Metric.CONFIRMED] else men + women))
    return series


def match_success_rate_drop_pct(now: float) -> Series:
    """How far (in %) confirmed/proposed fell in the last 15 min against the 15 min before."""
    series = []
    names = (Metric.PROPOSALS, Metric.CONFIRMED)
    for event_id in _scopes():
        recent = selectors.window_counts(event_id=event_id, minutes=SUCCESS_RATE_WINDOW_MINUTES, names=names, now=now)
        before = selectors.window_counts(
            event_id=event_id,
            minutes=SUCCESS_RATE_WINDOW_MINUTES,
            names=names,
            now=now,
            offset_minutes=SUCCESS_RATE_WINDOW_MINUTES,
        )
        if min(recent[Metric.PROPOSALS], before[Metric.PROPOSALS]) < SUCCESS_RATE_MIN_PROPOSALS or not before[Metric.CONFIRMED]:
            continue
        rate_recent = recent[Metric.CONFIRMED] / recent[Metric.PROPOSALS]
        rate_before = before[Metric.CONFIRMED] / before[Metric.PROPOSALS]
        series.append((_event_label(event_id), round((1 - rate_recent / rate_before) * 100, 1)))
    return series


def reports_5m(now: float) -> Series:
    return [
        (
            _event_label(event_id),
            selectors.window_counts(event_id=event_id, minutes=REPORTS_WINDOW_MINUTES, names=(Metric.REPORTS,), now=now)[
                Metric.REPORTS
            ],
        )
        for event_id in _scopes()
    ]


def moderation_oldest_pending_age_s(now: float) -> Series:
    oldest = selectors.gauges(event_id=None).get(f"{Metric.MODERATION_OLDEST_TS}|{ALL}")
    return [({}, round(now - oldest))] if oldest else []


def celery_worker_heartbeat_age_s(now: float) -> Series:
    """Seconds since each known worker last answered a ping (see services.workers_ping).

    A worker silent for longer than ALERTS_WORKER_FORGET_AFTER_S is forgotten: a pod killed
    outright is replaced under a new hostname, so expecting the old one forever would keep
    the alert firing next to a healthy replacement. The alert fires in between and its
    resolve notice says the worker was let go.
    """
    forget_before = now - settings.ALERTS_WORKER_FORGET_AFTER_S
    client = get_redis()
    client.zremrangebyscore(WORKERS_KEY, "-inf", forget_before)
    return [({"worker": hostname}, round(now - seen, 1)) for hostname, seen in client.zrange(WORKERS_KEY, 0, -1, withscores=True)]


def ws_connect_failures_1m(now: float) -> Series:
    this_minute, last_minute = (
        selectors.window_counts(event_id=None, minutes=1, names=(Metric.WS_CONNECT_REJECTED,), now=now, offset_minutes=offset)[
            Metric.WS_CONNECT_REJECTED
        ]
        for offset in (0, 1)
    )
    elapsed = now - minute_of(now) * 60
    return [({}, round(this_minute + last_minute * (1 - elapsed / 60), 1))]


def reconcile_mismatches(now: float) -> Series:
    value = selectors.gauges(event_id=None).get(f"{Metric.RECONCILE_MISMATCHES}|{ALL}")
    return [] if value is None else [({}, value)]


def queue_state_lost(now: float) -> Series:
    """One series per loss of the live queue in the last QUEUE_STATE_LOST_WINDOW_S: the tickets
    restored from PostgreSQL, with the epoch, its cause and how many students were told instead."""
    from apps.matching.selectors import queue_state_losses

    return [
        ({"epoch": str(loss.pk), "cause": loss.cause, "told": str(loss.told)}, float(loss.restored))
        for loss in queue_state_losses(since=now - QUEUE_STATE_LOST_WINDOW_S)
    ]


SOURCES: dict[str, Callable[[float], Series]] = {
    "queue_wait_p95_s": queue_wait_p95_s,
    "queue_gender_ratio": queue_gender_ratio,
    "matchless_queue_depth": matchless_queue_depth,
    "match_success_rate_drop_pct": match_success_rate_drop_pct,
    "reports_5m": reports_5m,
    "moderation_oldest_pending_age_s": moderation_oldest_pending_age_s,
    "celery_worker_heartbeat_age_s": celery_worker_heartbeat_age_s,
    "ws_connect_failures_1m": ws_connect_failures_1m,
    "reconcile_mismatches": reconcile_mismatches,
    "queue_state_lost": queue_state_lost,
}


def read_all(names: set[str], *, now: float | None = None) -> dict[str, Series]:
    now = time.time() if now is None else now
    return {name: SOURCES[name](now) for name in names if name in SOURCES}
