"""End to end through a real Celery worker: evaluate → notification → delivery with retry."""

import time

import pytest

from apps.alerts.models import Alert, Notification, NotificationStatus
from apps.alerts.tasks import evaluate_alert_rules
from apps.telemetry import metrics
from apps.telemetry.metrics import Metric


@pytest.fixture
def webhook_to_sink(monkeypatch, settings, http_sink):
    url = f"{http_sink.url}/hook"
    monkeypatch.setenv("ALERTS_WEBHOOK_URL", url)  # for the worker process
    settings.ALERTS_WEBHOOK_URL = url
    return http_sink


@pytest.mark.django_db(transaction=True)
def test_worker_evaluates_notifies_and_retries_a_failing_endpoint(webhook_to_sink, celery_worker_process):
    # Given a report spike and a webhook that fails once
    webhook_to_sink.statuses = [502]
    metrics.metric_incr(Metric.REPORTS, by=15)
    # When beat's evaluation task runs on the worker
    evaluate_alert_rules.delay()
    # A bound, not a speed requirement: a loaded machine took more than 30 s (suite run beside benchmarks)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not Notification.objects.filter(status=NotificationStatus.SENT).exists():
        time.sleep(0.2)
    # Then the alert fired and the webhook got it on the second attempt, recorded
    notification = Notification.objects.get()
    assert (notification.status, notification.attempts, notification.last_error.startswith("NotifyError: HTTP 502")) == (
        "sent",
        2,
        True,
    )
    assert [body["group"] for body in webhook_to_sink.bodies("/hook")] == ["report-spike", "report-spike"]
    assert Alert.objects.get().state == "firing"
    # And the worker registered itself for the heartbeat rule
    assert metrics.get_redis().zcard("mm:workers") == 1
