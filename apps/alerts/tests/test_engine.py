"""Rules fire and resolve on synthetic metrics written through the recording API."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from celery import current_app
from django.test import override_settings

from apps.alerts import services, sources
from apps.alerts.models import Alert, AlertRule, AlertState, Notification, Silence
from apps.events.tests.factories import make_event
from apps.telemetry import metrics
from apps.telemetry.metrics import Metric, minute_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("channels_on")]

NOW = (minute_of(time.time()) - 40) * 60 + 30.0


@pytest.fixture
def channels_on(settings):
    settings.ALERTS_WEBHOOK_URL = "http://127.0.0.1:9/hook"
    settings.ALERTS_SLACK_WEBHOOK_URL = "http://127.0.0.1:9/slack"


def states(rule_name: str) -> list[tuple[str, dict]]:
    return [(alert.state, alert.labels.get("event")) for alert in Alert.objects.filter(rule__name=rule_name).order_by("pk")]


def notifications() -> list[tuple[str, str, str, int]]:
    return [(n.channel, n.group_key, n.kind, n.alerts.count()) for n in Notification.objects.order_by("pk")]


def test_queue_wait_p95_goes_pending_then_firing_then_resolved_with_notices():
    # Given queue waits of 90 s
    for _ in range(5):
        metrics.metric_observe(Metric.QUEUE_WAIT, 90, at=NOW)
    # When evaluated: pending first (the rule needs 60 s), no notice yet
    services.alerts_evaluate(now=NOW)
    assert states("queue-wait-p95-high") == [("pending", "all")]
    assert notifications() == []
    services.alerts_evaluate(now=NOW + 50)
    assert states("queue-wait-p95-high") == [("pending", "all")]
    # Then firing once it held for 60 s, one grouped notice per enabled channel
    services.alerts_evaluate(now=NOW + 60)
    assert states("queue-wait-p95-high") == [("firing", "all")]
    assert notifications() == [("slack", "queue-wait-p95-high", "firing", 1), ("webhook", "queue-wait-p95-high", "firing", 1)]
    # Deduplicated: still firing, no new notice
    services.alerts_evaluate(now=NOW + 70)
    assert len(notifications()) == 2
    # When the waits leave the 5-minute window: resolved, with a resolve notice
    services.alerts_evaluate(now=NOW + 6 * 60)
    assert states("queue-wait-p95-high") == [("resolved", "all")]
    assert notifications()[2:] == [
        ("slack", "queue-wait-p95-high", "resolved", 1),
        ("webhook", "queue-wait-p95-high", "resolved", 1),
    ]
    payload = Notification.objects.filter(kind="resolved", channel="webhook").get().payload
    assert payload["status"] == "resolved"
    assert payload["alerts"][0]["labels"] == {
        "alertname": "queue-wait-p95-high",
        "severity": "warning",
        "team": "liveops",
        "event": "all",
    }


def test_a_pending_alert_that_clears_resolves_silently():
    metrics.metric_observe(Metric.QUEUE_WAIT, 90, at=NOW)
    services.alerts_evaluate(now=NOW)
    services.alerts_evaluate(now=NOW + 6 * 60)
    assert states("queue-wait-p95-high") == [("resolved", "all")]
    assert notifications() == []


def test_alerts_of_one_rule_are_grouped_into_one_notice():
    first, second = make_event(name="A"), make_event(name="B")
    for event in (first, second):
        metrics.metric_incr(Metric.REPORTS, event_id=event.pk, by=11, at=NOW)
    services.alerts_evaluate(now=NOW)
    assert sorted(states("report-spike"), key=str) == sorted(
        [("firing", "all"), ("firing", str(first.pk)), ("firing", str(second.pk))], key=str
    )
    assert notifications() == [("slack", "report-spike", "firing", 3), ("webhook", "report-spike", "firing", 3)]


def test_silence_mutes_until_it_expires_then_notifies():
    metrics.metric_incr(Metric.REPORTS, by=11, at=NOW)
    at = datetime.fromtimestamp(NOW, tz=UTC)
    Silence.objects.create(
        matchers={"alertname": "report-spike"},
        starts_at=at - timedelta(minutes=1),
        ends_at=at + timedelta(seconds=30),
        comment="known",
    )
    services.alerts_evaluate(now=NOW)
    assert Alert.objects.get().silenced is True
    assert notifications() == []
    services.alerts_evaluate(now=NOW + 31)
    assert notifications() == [("slack", "report-spike", "firing", 1), ("webhook", "report-spike", "firing", 1)]


def test_repeat_interval_re_notifies_a_long_firing_alert():
    AlertRule.objects.filter(name="report-spike").update(repeat_interval_s=120)
    metrics.metric_incr(Metric.REPORTS, by=11, at=NOW)
    services.alerts_evaluate(now=NOW)
    services.alerts_evaluate(now=NOW + 100)
    assert len(notifications()) == 2
    metrics.metric_incr(Metric.REPORTS, by=11, at=NOW + 120)
    services.alerts_evaluate(now=NOW + 125)
    assert len(notifications()) == 4


def test_disabling_a_rule_resolves_its_alerts():
    metrics.metric_incr(Metric.REPORTS, by=11, at=NOW)
    services.alerts_evaluate(now=NOW)
    AlertRule.objects.filter(name="report-spike").update(enabled=False)
    services.alerts_evaluate(now=NOW + 10)
    assert states("report-spike") == [("resolved", "all")]
    assert notifications()[-1][2] == "resolved"


def _gender_imbalance():
    metrics.gauges_set({"queue_depth|g:M": 13, "queue_depth|g:F": 4})
    return [NOW, NOW + 60]


def _no_matches():
    metrics.gauges_set({"queue_depth|g:M": 12, "queue_depth|g:F": 8})
    metrics.metric_incr(Metric.CONFIRMED, at=NOW - 4 * 60)
    return [NOW]


def _success_drop():
    metrics.metric_incr(Metric.PROPOSALS, by=20, at=NOW - 20 * 60)
    metrics.metric_incr(Metric.CONFIRMED, by=10, at=NOW - 20 * 60)
    metrics.metric_incr(Metric.PROPOSALS, by=20, at=NOW - 5 * 60)
    metrics.metric_incr(Metric.CONFIRMED, by=2, at=NOW - 5 * 60)
    return [NOW]


def _stale_moderation():
    metrics.gauge_set(Metric.MODERATION_OLDEST_TS, NOW - 25 * 60 * 60)
    return [NOW]


def _worker_missing():
    services.workers_seen(hostnames=["celery@worker-1"])
    return [time.time() + 61]


def _connect_failures():
    metrics.metric_incr(Metric.WS_CONNECT_REJECTED, by=120, at=NOW - 30)
    metrics.metric_incr(Metric.WS_CONNECT_REJECTED, by=120, at=NOW + 30)
    return [NOW, NOW + 60]


def _mismatch():
    metrics.gauge_set(Metric.RECONCILE_MISMATCHES, 2)
    return [NOW]


@pytest.mark.parametrize(
    ("rule_name", "setup"),
    [
        ("queue-gender-imbalance", _gender_imbalance),
        ("no-matches-with-queue", _no_matches),
        ("match-success-rate-drop", _success_drop),
        ("moderation-item-stale", _stale_moderation),
        ("celery-worker-heartbeat-missing", _worker_missing),
        ("websocket-connect-failures", _connect_failures),
        ("redis-postgres-mismatch", _mismatch),
    ],
)
def test_each_builtin_rule_fires_on_its_synthetic_input(rule_name, setup):
    for now in setup():
        services.alerts_evaluate(now=now)
    firing = list(Alert.objects.filter(state=AlertState.FIRING).values_list("rule__name", flat=True))
    assert firing == [rule_name]


def test_builtin_rules_are_quiet_on_a_healthy_empty_system():
    services.alerts_evaluate(now=NOW)
    assert Alert.objects.count() == 0
    assert AlertRule.objects.filter(builtin=True).count() == 10


@override_settings(ALERTS_WEBHOOK_URL="", ALERTS_SLACK_WEBHOOK_URL="")
def test_without_channels_alerts_are_tracked_but_nothing_is_queued():
    metrics.metric_incr(Metric.REPORTS, by=11, at=NOW)
    services.alerts_evaluate(now=NOW)
    assert states("report-spike") == [("firing", "all")]
    assert notifications() == []


def test_a_worker_killed_outright_fires_then_resolves_once_forgotten(settings):
    # Given a worker that answered once and then vanished (killed -9; its pod comes back renamed)
    settings.ALERTS_WORKER_FORGET_AFTER_S = 15 * 60
    seen_at = time.time()
    services.workers_seen(hostnames=["celery@worker-killed"])
    # When evaluated two minutes later, the heartbeat alert fires
    services.alerts_evaluate(now=seen_at + 120)
    assert states("celery-worker-heartbeat-missing") == [("firing", None)]
    # When the silence outlasts the forget horizon, the worker is let go and the alert resolves
    services.alerts_evaluate(now=seen_at + 15 * 60 + 1)
    assert states("celery-worker-heartbeat-missing") == [("resolved", None)]


def test_a_broker_that_cannot_be_reached_skips_the_worker_ping_and_the_rules_are_still_evaluated():
    # Given a report spike and a broker nobody listens on (a Redis failover drops every connection)
    metrics.metric_incr(Metric.REPORTS, by=11)
    with current_app.connection_for_write("redis://127.0.0.1:1/0") as unreachable_broker:
        # When beat's evaluation runs
        services.alerts_tick(broker=unreachable_broker)
    # Then no worker was recorded, and the rules were evaluated all the same
    assert metrics.get_redis().zcard(sources.WORKERS_KEY) == 0
    assert states("report-spike") == [("firing", "all")]
