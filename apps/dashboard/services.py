"""Writes of the live-operations app: presence metrics, the minute flush, snapshot publishing."""

import time
from datetime import UTC, datetime

from django.conf import settings
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.errors import DomainError
from apps.core.redis import get_redis
from apps.dashboard import events, selectors, trends
from apps.dashboard.errors import ErrorCode
from apps.dashboard.models import MetricMinute
from apps.events.models import Event
from apps.events.selectors import event_live_list
from apps.realtime import presence
from apps.telemetry import metrics
from apps.telemetry.metrics import ALL, DIRTY_MINUTES_KEY, Metric, counters_key, minute_of, online_dims_key, online_key, scope_of

# Per-university rows are kept in PostgreSQL only for these names, to bound the table.
UNIVERSITY_HISTORY_NAMES = frozenset({Metric.WS_CONNECTS, Metric.CONFIRMED, Metric.MESSAGES, "online"})
LAST_SNAPSHOT_KEY = "mm:dash:last:{scope}"


def socket_opened(*, user_id: int, pipe=None) -> None:
    """A gateway socket opened: remember the user's dims, count the connect, mark them online.

    One pipelined round trip (it runs on every connect of a storm); with `pipe` the writes
    are only queued on the caller's pipeline. The dims are written first, so the counters
    queued after them already break down by them.
    """
    gender, university_id, region, is_staff = selectors.user_dims(user_id=user_id)
    own = pipe is None
    pipe = get_redis().pipeline(transaction=False) if own else pipe
    metrics.user_dims_set(
        user_id=user_id, gender=gender, university_id=university_id, region=region, is_staff=is_staff, client=pipe
    )
    metrics.online_touch(user_id=user_id, client=pipe)
    metrics.metric_incr(Metric.WS_CONNECTS, user_id=user_id, client=pipe)
    if own:
        pipe.execute()


def socket_heartbeat(*, user_id: int, pipe=None) -> None:
    """Extend the user's online lease; with `pipe`, only queue it on the caller's pipeline."""
    metrics.online_touch(user_id=user_id, client=pipe)


def socket_closing(*, user_id: int, channel_name: str) -> None:
    """Count the disconnect; the user leaves the online sets when no other socket is live.

    Runs before the gateway forgets this socket, so it counts the user's *other* live
    sockets. Two tabs closing at the same instant may both see the other one: then the
    lease simply expires after PRESENCE_TTL_S.
    """
    metrics.metric_incr(Metric.WS_DISCONNECTS, user_id=user_id)
    live, own_live = presence.socket_lease_counts(user_id=user_id, channel_name=channel_name)
    if live - (1 if own_live else 0) <= 0:
        metrics.online_leave(user_id=user_id)


def _minute_datetime(minute: int) -> datetime:
    return datetime.fromtimestamp(minute * 60, tz=UTC)


def _keep_in_history(name: str, dim: str) -> bool:
    return not dim.startswith("u:") or name in UNIVERSITY_HISTORY_NAMES


def _live_scopes() -> list[str]:
    return [ALL, *(str(event.pk) for event in event_live_list())]


def metrics_flush(*, now: float | None = None) -> int:
    """Upsert every dirty minute's counters and a sample of the gauges into PostgreSQL.

    Idempotent: minutes stay dirty until the minute after next, so a late increment is
    flushed again; the upsert replaces the value with Redis's total. Returns rows written.
    """
    now = time.time() if now is None else now
    current = minute_of(now)
    client = get_redis()
    minutes = sorted(int(minute) for minute in client.smembers(DIRTY_MINUTES_KEY))
    rows: dict[tuple, MetricMinute] = {}
    for minute in minutes:
        at = _minute_datetime(minute)
        for field, value in client.hgetall(counters_key(minute)).items():
            name, scope, dim = field.split("|", 2)
            if _keep_in_history(name, dim):
                rows[(scope, dim, name, minute)] = MetricMinute(minute=at, name=name, scope=scope, dim=dim, value=float(value))
    at = _minute_datetime(current)
    for scope in _live_scopes():
        metrics.online_prune(event_id=None if scope == ALL else int(scope))
        dims = client.smembers(online_dims_key(scope))
        pipe = client.pipeline(transaction=False)
        for dim in dims:
            pipe.zcard(online_key(scope, dim))
        for dim, count in zip(dims, pipe.execute(), strict=True):
            if _keep_in_history("online", dim):
                rows[(scope, dim, "online", current)] = MetricMinute(minute=at, name="online", scope=scope, dim=dim, value=count)
        for field, value in selectors.gauges(event_id=None if scope == ALL else int(scope)).items():
            name, _, dim = field.partition("|")
            rows[(scope, dim or ALL, name, current)] = MetricMinute(
                minute=at, name=name, scope=scope, dim=dim or ALL, value=value
            )
        queue_total = sum(
            row.value
            for key, row in rows.items()
            if key[0] == scope and key[2] == Metric.QUEUE_DEPTH and row.dim.startswith("g:") and key[3] == current
        )
        # The history chart shows one queue series: the sum over genders.
        rows[(scope, ALL, Metric.QUEUE_DEPTH, current)] = MetricMinute(
            minute=at, name=Metric.QUEUE_DEPTH, scope=scope, dim=ALL, value=queue_total
        )
    MetricMinute.objects.bulk_create(
        rows.values(),
        update_conflicts=True,
        unique_fields=["scope", "dim", "name", "minute"],
        update_fields=["value"],
        batch_size=2000,
    )
    settled = [minute for minute in minutes if minute < current - 1]
    if settled:
        client.srem(DIRTY_MINUTES_KEY, *settled)
    MetricMinute.objects.filter(minute__lt=_minute_datetime(current - settings.METRICS_HISTORY_DAYS * 24 * 60)).delete()
    return len(rows)


def dashboard_require_viewer(*, user_id: int, event_id: int | None) -> None:
    """Staff only (checked against the database, not the socket's cached user)."""
    if not User.objects.filter(pk=user_id, is_staff=True, is_active=True).exists():
        raise DomainError(ErrorCode.FORBIDDEN, _("Only staff can watch the live dashboard."), http_status=403)
    if event_id is not None and not Event.objects.filter(pk=event_id).exists():
        raise DomainError(ErrorCode.EVENT_NOT_FOUND, _("No such event."), http_status=404)


def dashboard_publish(*, now: float | None = None) -> int:
    """Compute ONE snapshot per live event (and one for all events) and push it to its viewers.

    Cost is per event, never per viewer: every staff tab watching an event is in the same
    group. The last snapshot is kept a few seconds so a new viewer gets it at once, and
    each one is its bucket's point of the server-side trend (apps/dashboard/trends.py).
    """
    now = time.time() if now is None else now
    pipe = get_redis().pipeline(transaction=False)
    published = 0
    for scope in _live_scopes():
        event_id = None if scope == ALL else int(scope)
        snapshot = selectors.dashboard_snapshot(event_id=event_id, now=now)
        frame = events.dashboard_snapshot_frame(snapshot)
        pipe.set(LAST_SNAPSHOT_KEY.format(scope=scope), events.encode(frame), ex=settings.DASHBOARD_PUSH_INTERVAL_S * 5)
        trends.trend_record(snapshot=snapshot, now=now, pipe=pipe)
        events.dashboard_snapshot_send(event_id=event_id, frame=frame)
        published += 1
    pipe.execute()
    return published


def dashboard_last_frame(*, event_id: int | None) -> dict:
    """The latest published frame of the scope, or a freshly computed one."""
    cached = get_redis().get(LAST_SNAPSHOT_KEY.format(scope=scope_of(event_id)))
    if cached:
        return events.decode(cached)
    return events.dashboard_snapshot_frame(selectors.dashboard_snapshot(event_id=event_id))


RECONCILE_MINUTES = 10


def metrics_reconcile(*, now: float | None = None) -> int:
    """Compare settled Redis minutes with their PostgreSQL rows; publish the mismatch count.

    A minute is settled three minutes after it ends (flushed at least twice by then). Each
    counter field that PostgreSQL lacks or holds with another value is one mismatch; the
    `reconcile_mismatches` gauge feeds the built-in alert rule.
    """
    now = time.time() if now is None else now
    current = minute_of(now)
    minutes = range(current - 3 - RECONCILE_MINUTES + 1, current - 3 + 1)
    client = get_redis()
    pipe = client.pipeline(transaction=False)
    for minute in minutes:
        pipe.hgetall(counters_key(minute))
    expected: dict[tuple, float] = {}
    for minute, fields in zip(minutes, pipe.execute(), strict=True):
        for field, value in fields.items():
            name, scope, dim = field.split("|", 2)
            if _keep_in_history(name, dim):
                expected[(scope, dim, name, _minute_datetime(minute))] = float(value)
    stored = {
        (scope, dim, name, minute): value
        for scope, dim, name, minute, value in MetricMinute.objects.filter(
            minute__gte=_minute_datetime(minutes[0]), minute__lte=_minute_datetime(minutes[-1])
        ).values_list("scope", "dim", "name", "minute", "value")
    }
    mismatches = sum(
        1 for key, value in expected.items() if abs(stored.get(key, float("nan")) - value) > 1e-6 or key not in stored
    )
    # Matching's queue reconciliation adds its repairs as `src:matching` (apps/matching/services/upkeep.py).
    metrics.gauge_part_set(Metric.RECONCILE_MISMATCHES, "metrics", mismatches)
    return mismatches
