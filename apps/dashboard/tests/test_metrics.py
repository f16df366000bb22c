import time
from datetime import UTC, datetime

import pytest

from apps.accounts.models import University
from apps.accounts.tests.factories import make_profile
from apps.core.redis import get_redis
from apps.dashboard import selectors, services
from apps.dashboard.models import MetricMinute
from apps.telemetry import metrics
from apps.telemetry.metrics import Metric, minute_of

pytestmark = pytest.mark.django_db

# A fixed instant 30 s into a minute keeps window arithmetic exact.
NOW = (minute_of(time.time()) - 5) * 60 + 30.0


def test_incr_with_a_user_counts_every_breakdown_and_the_totals():
    # Given a user whose dims were registered at connect
    metrics.user_dims_set(user_id=7, gender="M", university_id=3, region="busan")
    # When a proposal is counted for them in event 12
    metrics.metric_incr(Metric.PROPOSALS, event_id=12, user_id=7, at=NOW)
    metrics.metric_incr(Metric.PROPOSALS, event_id=12, user_id=7, by=2, at=NOW)
    # Then every scope × dim field of the minute holds 3, and the totals leave universities out
    minute = get_redis().hgetall(metrics.counters_key(minute_of(NOW)))
    expected = {f"proposals|{scope}|{dim}": "3" for scope in ("all", "12") for dim in ("all", "g:M", "r:busan", "u:3")}
    assert minute == expected
    assert get_redis().hgetall(metrics.TOTALS_KEY) == {"proposals|all": "3", "proposals|g:M": "3", "proposals|r:busan": "3"}
    assert get_redis().hgetall("mm:et:12") == {"proposals": "3"}
    assert get_redis().ttl(metrics.counters_key(minute_of(NOW))) > 47 * 3600


def test_observe_builds_a_mergeable_histogram_with_quantiles():
    for seconds in [1, 2, 2, 4, 8, 8, 9, 25, 50, 200]:
        metrics.metric_observe(Metric.QUEUE_WAIT, seconds, event_id=1, at=NOW)
    p50, p95 = selectors.wait_quantiles(event_id=1, now=NOW)
    assert (p50, p95) == (8.33, 240.0)
    assert selectors.wait_quantiles(event_id=2, now=NOW) == (None, None)
    assert float(get_redis().hget(metrics.counters_key(minute_of(NOW)), "queue_wait_s:sum|1|all")) == 309.0


def test_histogram_quantile_interpolates_inside_the_bucket():
    counts = [0] * (len(metrics.WAIT_BUCKETS_S) + 1)
    counts[metrics.wait_bucket_index(40)] = 10  # bucket (30, 45]
    assert selectors.histogram_quantile(counts, 0.5) == 37.5


def test_online_sets_follow_touch_and_leave_and_expire_by_themselves():
    metrics.user_dims_set(user_id=1, gender="F", university_id=5, region="seoul")
    metrics.online_touch(user_id=1)
    metrics.online_touch(user_id=1, event_id=9)
    snapshot = selectors.dashboard_snapshot(event_id=9)
    assert (snapshot["tiles"]["online"], snapshot["tiles"]["online_f"], snapshot["tiles"]["online_m"]) == (1, 1, 0)
    assert {row["code"]: row["online"] for row in snapshot["regions"]}["seoul"] == 1
    metrics.online_leave(user_id=1, event_id=9)
    assert selectors.dashboard_snapshot(event_id=9)["tiles"]["online"] == 0
    assert selectors.dashboard_snapshot(event_id=None)["tiles"]["online"] == 1
    # A lease not renewed fades out (crashed pod): the snapshot counts only live leases.
    assert selectors.dashboard_snapshot(event_id=None, now=time.time() + 10_000)["tiles"]["online"] == 0


def test_snapshot_tiles_from_synthetic_metrics():
    university = University.objects.get(name_ko="서울대학교")
    profile = make_profile(gender="M", university=university)
    metrics.user_dims_set(user_id=profile.user_id, gender="M", university_id=university.pk, region=university.region)
    metrics.online_touch(user_id=profile.user_id, event_id=4)
    for _ in range(10):
        metrics.metric_incr(Metric.PROPOSALS, event_id=4, at=NOW - 120)
    for _ in range(4):
        metrics.metric_incr(Metric.CONFIRMED, event_id=4, at=NOW - 60)
    metrics.metric_incr(Metric.CONVERSATIONS, event_id=4, at=NOW)
    metrics.metric_incr(Metric.MESSAGES, event_id=4, by=120, at=NOW)
    metrics.metric_incr(Metric.REPORTS, event_id=4, at=NOW)
    metrics.gauges_set({"queue_depth|g:M": 6, "queue_depth|g:F": 3}, event_id=4)
    metrics.gauge_set(Metric.MODERATION_BACKLOG, 7)

    snapshot = selectors.dashboard_snapshot(event_id=4, now=NOW)

    assert snapshot["tiles"] | {} == {
        "online": 1,
        "online_m": 1,
        "online_f": 0,
        "gender_ratio_online": None,
        "queue_total": 9,
        "queue_m": 6,
        "queue_f": 3,
        "gender_ratio_queue": 2.0,
        "proposals_15m": 10,
        "confirmed_15m": 4,
        "match_success_rate_15m": 0.4,
        "confirmed_total": 4,
        "conversation_rate": 0.25,
        "wait_p50_s": None,
        "wait_p95_s": None,
        "messages_per_s": 2.0,
        "messages_1m": 120,
        "reports_15m": 1,
        "moderation_backlog": 7,
        "connects_1m": 0,
        "disconnects_1m": 0,
    }
    assert snapshot["universities"] == [{"id": university.pk, "name": university.name_ko, "online": 1, "connects_5m": 0}]
    assert len(snapshot["regions"]) == 17


def test_flush_upserts_minutes_and_reconcile_finds_late_writes():
    metrics.metric_incr(Metric.MESSAGES, event_id=3, region="jeju", by=5, at=NOW - 600)
    metrics.metric_incr(Metric.MESSAGES, event_id=3, university_id=8, by=2, at=NOW - 600)
    metrics.metric_incr(Metric.REPORTS, university_id=8, at=NOW - 600)

    services.metrics_flush(now=NOW)
    services.metrics_flush(now=NOW)

    minute = datetime.fromtimestamp(minute_of(NOW - 600) * 60, tz=UTC)
    rows = set(MetricMinute.objects.filter(minute=minute).values_list("name", "scope", "dim", "value"))
    assert rows == {
        ("messages", "all", "all", 7.0),
        ("messages", "3", "all", 7.0),
        ("messages", "all", "r:jeju", 5.0),
        ("messages", "3", "r:jeju", 5.0),
        ("messages", "all", "u:8", 2.0),
        ("messages", "3", "u:8", 2.0),
        ("reports", "all", "all", 1.0),
    }
    assert services.metrics_reconcile(now=NOW) == 0
    # A settled minute changed in Redis after its flush: the next reconciliation notices.
    get_redis().srem(metrics.DIRTY_MINUTES_KEY, str(minute_of(NOW - 600)))
    metrics.metric_incr(Metric.MESSAGES, event_id=3, by=1, at=NOW - 600)
    get_redis().srem(metrics.DIRTY_MINUTES_KEY, str(minute_of(NOW - 600)))
    assert services.metrics_reconcile(now=NOW) == 2
    assert selectors.gauges(event_id=None)["reconcile_mismatches|all"] == 2.0


def test_history_reads_the_flushed_minutes():
    metrics.metric_incr(Metric.CONFIRMED, at=time.time() - 120, by=3)
    services.metrics_flush()
    history = selectors.history_series(event_id=None)
    assert [point[1] for point in history["series"]["matches_confirmed"]] == [3.0]


def test_socket_opened_on_a_shared_pipeline_writes_the_same_as_alone_even_after_redis_lost_its_scripts():
    make_profile(gender="M", region="busan")
    first, second = (make_profile(gender="F", region="seoul").user for _ in range(2))
    services.socket_opened(user_id=first.pk)
    # A restarted Redis has no scripts: the pipelined form must not depend on them.
    get_redis().script_flush()
    pipe = get_redis().pipeline(transaction=False)
    services.socket_opened(user_id=second.pk, pipe=pipe)
    assert get_redis().hget(metrics.USER_DIMS_KEY, str(second.pk)) is None  # only queued so far
    pipe.execute()
    minute = get_redis().hgetall(metrics.counters_key(minute_of(time.time())))
    assert (minute["ws_connects|all|all"], minute["ws_connects|all|g:F"], minute["ws_connects|all|r:seoul"]) == ("2", "2", "2")
    tiles = selectors.dashboard_snapshot(event_id=None)["tiles"]
    assert (tiles["online"], tiles["online_f"], tiles["online_m"]) == (2, 2, 0)
