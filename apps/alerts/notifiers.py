"""Notification channels as plugins; each is switched on by its setting.

A notifier turns one grouped payload (see services.notification_payload) into a message
and raises NotifyError when the channel refuses it; delivery (retries, backoff, the
recorded outcome, Slack's pace) lives in services.notification_deliver.
"""

import json
import urllib.error
import urllib.request

import boto3
from django.conf import settings
from django.core.mail import send_mail


class NotifyError(Exception):
    pass


def _post_json(url: str, body: dict) -> None:
    if not url.startswith(("https://", "http://")):
        raise NotifyError("the endpoint must be an http(s) URL")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=json.dumps(body, ensure_ascii=False).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.ALERTS_NOTIFY_TIMEOUT_S) as response:  # noqa: S310 - URL comes from settings
            response.read()
    except urllib.error.HTTPError as error:
        raise NotifyError(f"HTTP {error.code} from {error.url}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise NotifyError(f"cannot reach the endpoint: {error}") from error


def summary_lines(payload: dict) -> list[str]:
    status = payload["status"].upper()
    lines = [f"[{status}:{len(payload['alerts'])}] {payload['group']} ({payload['severity']})"]
    if payload.get("description"):
        lines.append(payload["description"])
    for alert in payload["alerts"]:
        labels = ", ".join(
            f"{key}={value}" for key, value in sorted(alert["labels"].items()) if key not in ("alertname", "severity")
        )
        lines.append(f"• {labels or '-'}: {alert['value']:g}")
    if payload.get("dashboard_url"):
        lines.append(payload["dashboard_url"])
    return lines


class Notifier:
    name = ""

    def enabled(self) -> bool:
        raise NotImplementedError

    def send(self, payload: dict) -> None:
        raise NotImplementedError


class SlackNotifier(Notifier):
    name = "slack"

    def enabled(self) -> bool:
        return bool(settings.ALERTS_SLACK_WEBHOOK_URL)

    def send(self, payload: dict) -> None:
        _post_json(settings.ALERTS_SLACK_WEBHOOK_URL, {"text": "\n".join(summary_lines(payload))})


class WebhookNotifier(Notifier):
    """Alertmanager-like JSON for anything that takes a webhook (PagerDuty bridges, bots)."""

    name = "webhook"

    def enabled(self) -> bool:
        return bool(settings.ALERTS_WEBHOOK_URL)

    def send(self, payload: dict) -> None:
        _post_json(settings.ALERTS_WEBHOOK_URL, payload)


class EmailNotifier(Notifier):
    name = "email"

    def enabled(self) -> bool:
        return bool(settings.ALERTS_EMAIL_TO)

    def send(self, payload: dict) -> None:
        lines = summary_lines(payload)
        try:
            send_mail(f"[MatchMinds] {lines[0]}", "\n".join(lines), None, settings.ALERTS_EMAIL_TO)
        except OSError as error:
            raise NotifyError(f"cannot send e-mail: {error}") from error


class SnsNotifier(Notifier):
    name = "sns"

    def enabled(self) -> bool:
        return bool(settings.ALERTS_SNS_TOPIC_ARN)

    def send(self, payload: dict) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        client = boto3.client("sns", region_name=settings.ALERTS_SNS_REGION, endpoint_url=settings.ALERTS_SNS_ENDPOINT_URL)
        lines = summary_lines(payload)
        try:
            client.publish(
                TopicArn=settings.ALERTS_SNS_TOPIC_ARN,
                Subject=lines[0][:100],
                Message="\n".join(lines),
                MessageAttributes={"severity": {"DataType": "String", "StringValue": payload["severity"]}},
            )
        except (BotoCoreError, ClientError) as error:
            raise NotifyError(f"SNS publish failed: {error}") from error


NOTIFIERS: dict[str, Notifier] = {
    notifier.name: notifier for notifier in (SlackNotifier(), EmailNotifier(), SnsNotifier(), WebhookNotifier())
}


def enabled_channels() -> list[str]:
    return [name for name, notifier in NOTIFIERS.items() if notifier.enabled()]
