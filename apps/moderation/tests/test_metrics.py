"""Moderation feeds the live dashboard and the 24 h alert rule."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.accounts.tests.factories import make_profile
from apps.alerts import services as alert_services
from apps.alerts.models import Alert, AlertState
from apps.core.redis import get_redis
from apps.dashboard import selectors as dashboard_selectors
from apps.moderation import reports as moderation_reports
from apps.moderation import sanctions as moderation_sanctions
from apps.moderation.models import Report
from apps.telemetry.metrics import ALL, TOTALS_KEY, Metric

pytestmark = pytest.mark.django_db


def test_a_filed_report_counts_once_on_the_reports_metric(django_capture_on_commit_callbacks):
    reporter, reported = make_profile().user, make_profile().user
    with django_capture_on_commit_callbacks(execute=True):
        moderation_reports.report_create(reporter=reporter, reported_user_id=reported.pk, reason="harassment")
    assert float(get_redis().hget(TOTALS_KEY, f"{Metric.REPORTS}|{ALL}")) == 1.0
    assert dashboard_selectors.window_counts(event_id=None, minutes=1, names=(Metric.REPORTS,))[Metric.REPORTS] == 1.0


def test_backlog_gauges_follow_open_items_and_zero_when_empty():
    reporter, reported = make_profile().user, make_profile().user
    assert moderation_sanctions.moderation_backlog_publish() == {"backlog": 0, "oldest_ts": 0}

    report = moderation_reports.report_create(reporter=reporter, reported_user_id=reported.pk, reason="spam")
    published = moderation_sanctions.moderation_backlog_publish()
    gauges = dashboard_selectors.gauges(event_id=None)
    assert published["backlog"] == 1
    assert gauges[f"{Metric.MODERATION_BACKLOG}|{ALL}"] == 1
    assert gauges[f"{Metric.MODERATION_OLDEST_TS}|{ALL}"] == pytest.approx(report.created_at.timestamp(), abs=0.001)


def test_a_report_open_for_more_than_a_day_fires_the_stale_item_alert():
    reporter, reported = make_profile().user, make_profile().user
    report = moderation_reports.report_create(reporter=reporter, reported_user_id=reported.pk, reason="spam")
    Report.objects.filter(pk=report.pk).update(created_at=timezone.now() - timedelta(hours=25))

    moderation_sanctions.moderation_backlog_publish()
    alert_services.alerts_evaluate(now=time.time())

    assert list(Alert.objects.filter(state=AlertState.FIRING).values_list("rule__name", flat=True)) == ["moderation-item-stale"]
