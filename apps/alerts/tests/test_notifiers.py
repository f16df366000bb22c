"""Notifiers over real HTTP (a local server), SNS against moto_server, e-mail via Django's outbox."""

import os
import subprocess
import sys
import time

import boto3
import pytest
from django.core import mail

from apps.alerts import services
from apps.alerts.models import Notification, NotificationStatus
from apps.telemetry import metrics
from apps.telemetry.metrics import Metric
from conftest import _stop, _wait_for_port, free_port

pytestmark = pytest.mark.django_db


def fire_report_spike() -> list[Notification]:
    metrics.metric_incr(Metric.REPORTS, by=12)
    services.alerts_evaluate()
    return list(Notification.objects.order_by("pk"))


def deliver_until_done(notification: Notification, *, max_rounds: int = 10) -> list[float]:
    waits = []
    for _ in range(max_rounds):
        wait = services.notification_deliver(notification_id=notification.pk)
        if wait is None:
            return waits
        waits.append(wait)
        if notification.channel == "slack":
            services.get_redis().delete(services.SLACK_PACE_KEY)
    raise AssertionError("delivery never finished")


def test_slack_and_webhook_receive_the_grouped_payload(settings, http_sink):
    settings.ALERTS_SLACK_WEBHOOK_URL = f"{http_sink.url}/slack"
    settings.ALERTS_WEBHOOK_URL = f"{http_sink.url}/hook"
    slack, webhook = fire_report_spike()
    assert deliver_until_done(slack) == []
    assert deliver_until_done(webhook) == []
    assert http_sink.bodies("/slack") == [
        {"text": "[FIRING:1] report-spike (warning)\nMore than 10 reports in 5 min.\n• event=all, team=liveops: 12"}
    ]
    [hook] = http_sink.bodies("/hook")
    assert (hook["group"], hook["status"], hook["alerts"][0]["value"]) == ("report-spike", "firing", 12.0)
    slack.refresh_from_db()
    assert (slack.status, slack.attempts, slack.last_error) == (NotificationStatus.SENT, 1, "")


def test_error_responses_are_retried_with_backoff_and_recorded_while_others_go_through(settings, http_sink):
    settings.ALERTS_SLACK_WEBHOOK_URL = f"{http_sink.url}/slack"
    settings.ALERTS_WEBHOOK_URL = f"{http_sink.url}/hook"
    settings.ALERTS_NOTIFY_MAX_ATTEMPTS = 3
    slack, webhook = fire_report_spike()
    # Given the Slack endpoint answers 500 twice, then 200
    http_sink.statuses = [500, 503]
    assert deliver_until_done(slack) == [2, 4]
    slack.refresh_from_db()
    assert (slack.status, slack.attempts) == (NotificationStatus.SENT, 3)
    assert slack.last_error.endswith("HTTP 503 from " + f"{http_sink.url}/slack")
    # A webhook that always fails ends as failed after the last attempt, without raising
    http_sink.statuses = [500, 500, 500]
    assert deliver_until_done(webhook) == [2, 4]
    webhook.refresh_from_db()
    assert (webhook.status, webhook.attempts) == (NotificationStatus.FAILED, 3)
    assert "HTTP 500" in webhook.last_error
    # And a finished notification is never sent twice
    assert services.notification_deliver(notification_id=webhook.pk) is None
    assert len(http_sink.requests) == 6


def test_an_unreachable_endpoint_is_recorded_not_raised(settings):
    settings.ALERTS_WEBHOOK_URL = f"http://127.0.0.1:{free_port()}/nobody"
    [webhook] = fire_report_spike()
    assert services.notification_deliver(notification_id=webhook.pk) == 2
    webhook.refresh_from_db()
    assert webhook.status == NotificationStatus.RETRYING
    assert "cannot reach the endpoint" in webhook.last_error


def test_slack_is_paced_to_one_message_a_second(settings, http_sink):
    settings.ALERTS_SLACK_WEBHOOK_URL = f"{http_sink.url}/slack"
    [first] = fire_report_spike()
    second = Notification.objects.create(channel="slack", group_key="other", kind="firing", payload=first.payload)
    assert services.notification_deliver(notification_id=first.pk) is None
    assert services.notification_deliver(notification_id=second.pk) == 1.0
    second.refresh_from_db()
    assert (second.status, second.attempts) == (NotificationStatus.QUEUED, 0)
    time.sleep(1.05)
    assert services.notification_deliver(notification_id=second.pk) is None
    assert len(http_sink.bodies("/slack")) == 2


def test_email_goes_to_the_configured_addresses(settings):
    settings.ALERTS_EMAIL_TO = ["oncall@example.com"]
    [email] = fire_report_spike()
    assert services.notification_deliver(notification_id=email.pk) is None
    assert [(message.subject, message.to) for message in mail.outbox] == [
        ("[MatchMinds] [FIRING:1] report-spike (warning)", ["oncall@example.com"])
    ]


@pytest.fixture
def moto_sns(monkeypatch):
    """A real moto_server process over HTTP; yields (endpoint, topic arn, queue url subscribed to it)."""
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "ap-northeast-2",
    }.items():
        monkeypatch.setenv(key, value)
    port = free_port()
    moto = os.path.join(os.path.dirname(sys.executable), "moto_server")
    process = subprocess.Popen([moto, "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, process)
        endpoint = f"http://127.0.0.1:{port}"
        sns = boto3.client("sns", region_name="ap-northeast-2", endpoint_url=endpoint)
        sqs = boto3.client("sqs", region_name="ap-northeast-2", endpoint_url=endpoint)
        topic_arn = sns.create_topic(Name="matchminds-alerts")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="alerts-inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
        yield endpoint, topic_arn, sqs, queue_url
    finally:
        _stop(process)


def test_sns_publishes_to_the_topic(settings, moto_sns):
    endpoint, topic_arn, sqs, queue_url = moto_sns
    settings.ALERTS_SNS_TOPIC_ARN = topic_arn
    settings.ALERTS_SNS_ENDPOINT_URL = endpoint
    [sns] = fire_report_spike()
    assert services.notification_deliver(notification_id=sns.pk) is None
    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2)["Messages"]
    assert [message["Body"].splitlines()[0] for message in messages] == ["[FIRING:1] report-spike (warning)"]


def test_sns_errors_are_recorded(settings, moto_sns):
    endpoint, topic_arn, _, _ = moto_sns
    settings.ALERTS_SNS_TOPIC_ARN = topic_arn.replace("matchminds-alerts", "no-such-topic")
    settings.ALERTS_SNS_ENDPOINT_URL = endpoint
    [sns] = fire_report_spike()
    assert services.notification_deliver(notification_id=sns.pk) == 2
    sns.refresh_from_db()
    assert sns.status == NotificationStatus.RETRYING
    assert "SNS publish failed" in sns.last_error
