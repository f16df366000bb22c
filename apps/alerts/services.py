"""The alert engine: evaluate rules, move alerts pending → firing → resolved, notify.

Like Alertmanager: an alert is one series of one rule, identified by its fingerprint
(rule + labels); notifications are grouped by rule per evaluation, deduplicated (only
transitions and the repeat interval notify), silenced by label matchers until they
expire, and sent once per enabled channel by independent, retried tasks.
"""

import hashlib
import json
import logging
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import kombu.exceptions
import redis
from celery import current_app
from django.conf import settings
from django.db import transaction
from django.urls import reverse

from apps.alerts import sources
from apps.alerts.models import Alert, AlertRule, AlertState, Notification, NotificationKind, NotificationStatus, Silence
from apps.alerts.notifiers import NOTIFIERS, NotifyError, enabled_channels
from apps.core.redis import get_redis
from apps.core.task_queue import task_send_on_commit

logger = logging.getLogger(__name__)
EVALUATION_LOCK_KEY = "alerts:evaluate:lock"
SLACK_PACE_KEY = "alerts:slack:pace"


def fingerprint(*, rule_id: int, labels: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps([rule_id, sorted(labels.items())]).encode()).hexdigest()[:32]


def _repeat_interval(rule: AlertRule) -> timedelta:
    return timedelta(seconds=rule.repeat_interval_s or settings.ALERTS_REPEAT_INTERVAL_S)


def alerts_evaluate(*, now: float | None = None) -> dict[str, int]:
    """Evaluate every enabled rule once; return how many alerts are pending/firing and notifications made.

    A Redis lock keeps evaluations from overlapping (beat may fire while a slow one runs);
    the partial unique index on active fingerprints is the backstop.
    """
    now = time.time() if now is None else now
    client = get_redis()
    if not client.set(EVALUATION_LOCK_KEY, "1", nx=True, ex=settings.ALERTS_EVALUATION_INTERVAL_S * 3):
        return {"skipped": 1}
    try:
        return _evaluate(now)
    finally:
        client.delete(EVALUATION_LOCK_KEY)


def _evaluate(now: float) -> dict[str, int]:
    at = datetime.fromtimestamp(now, tz=UTC)
    rules = list(AlertRule.objects.filter(enabled=True))
    series_by_metric = sources.read_all({rule.metric for rule in rules}, now=now)
    silences = list(Silence.objects.filter(starts_at__lte=at, ends_at__gt=at))
    outgoing: dict[tuple[str, str], list[Alert]] = defaultdict(list)
    counts = {"pending": 0, "firing": 0, "resolved": 0}
    with transaction.atomic():
        active = {
            alert.fingerprint: alert
            for alert in Alert.objects.select_for_update().exclude(state=AlertState.RESOLVED).select_related("rule")
        }
        seen: set[str] = set()
        for rule in rules:
            for series_labels, value in series_by_metric.get(rule.metric, []):
                labels = {**rule.labels, **series_labels, "alertname": rule.name, "severity": rule.severity}
                key = fingerprint(rule_id=rule.pk, labels=labels)
                seen.add(key)
                alert = active.get(key)
                if not rule.holds(value):
                    if alert is not None:
                        _resolve(alert, at, outgoing, counts)
                    continue
                silenced = any(silence.matches(labels) for silence in silences)
                if alert is None:
                    alert = Alert.objects.create(
                        rule=rule,
                        fingerprint=key,
                        labels=labels,
                        state=AlertState.PENDING,
                        value=value,
                        active_since=at,
                        silenced=silenced,
                    )
                alert.value, alert.silenced = value, silenced
                if alert.state == AlertState.PENDING and at - alert.active_since >= timedelta(seconds=rule.for_s):
                    alert.state, alert.fired_at = AlertState.FIRING, at
                due = alert.last_notified_at is None or at - alert.last_notified_at >= _repeat_interval(rule)
                if alert.state == AlertState.FIRING and not silenced and due:
                    alert.last_notified_at = at
                    outgoing[(rule.name, NotificationKind.FIRING)].append(alert)
                alert.save(update_fields=["value", "silenced", "state", "fired_at", "last_notified_at"])
                counts[alert.state] += 1
        for key, alert in active.items():
            if key not in seen:
                # The series is gone (event ended, rule disabled or edited): nothing holds any more.
                _resolve(alert, at, outgoing, counts)
        made = _notifications_create(outgoing)
    counts["notifications"] = made
    return counts


def _resolve(alert: Alert, at: datetime, outgoing: dict, counts: dict) -> None:
    was_notified = alert.state == AlertState.FIRING and alert.last_notified_at is not None
    alert.state, alert.resolved_at = AlertState.RESOLVED, at
    alert.save(update_fields=["state", "resolved_at"])
    counts["resolved"] += 1
    if was_notified and not alert.silenced:
        outgoing[(alert.rule.name, NotificationKind.RESOLVED)].append(alert)


def notification_payload(*, group: str, kind: str, alerts: list[Alert]) -> dict:
    rule = alerts[0].rule
    base_url = settings.ALERTS_DASHBOARD_BASE_URL.rstrip("/")
    return {
        "group": group,
        "status": kind,
        "severity": rule.severity,
        "description": rule.description,
        "alerts": [
            {
                "labels": alert.labels,
                "value": alert.value,
                "state": alert.state,
                "active_since": alert.active_since.isoformat(),
                "fired_at": alert.fired_at.isoformat() if alert.fired_at else None,
                "resolved_at": alert.resolved_at.isoformat() if alert.resolved_at else None,
            }
            for alert in alerts
        ],
        "dashboard_url": f"{base_url}{reverse('dashboard:live')}" if base_url else "",
    }


def _notifications_create(outgoing: dict[tuple[str, str], list[Alert]]) -> int:
    """One Notification per (group, kind, channel); delivery tasks leave after commit."""
    channels = enabled_channels()
    created = []
    for (group, kind), alerts in outgoing.items():
        payload = notification_payload(group=group, kind=kind, alerts=alerts)
        for channel in channels:
            notification = Notification.objects.create(channel=channel, group_key=group, kind=kind, payload=payload)
            notification.alerts.set(alerts)
            created.append(notification.pk)
    for notification_id in created:
        task_send_on_commit("apps.alerts.tasks.deliver_notification", notification_id)
    return len(created)


def notification_deliver(*, notification_id: int) -> float | None:
    """Try to send one notification; return seconds to wait before retrying, or None when done.

    Every outcome is recorded on the row. A failing channel only delays its own task,
    never the evaluator or the other channels. Slack gets at most one message per
    ALERTS_SLACK_MIN_INTERVAL_S across all workers (its webhook limit is about 1/s).
    """
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None or notification.status in (NotificationStatus.SENT, NotificationStatus.FAILED):
        return None
    notifier = NOTIFIERS.get(notification.channel)
    if notification.channel == "slack":
        pace_ms = int(settings.ALERTS_SLACK_MIN_INTERVAL_S * 1000)
        if not get_redis().set(SLACK_PACE_KEY, "1", nx=True, px=pace_ms):
            return settings.ALERTS_SLACK_MIN_INTERVAL_S
    notification.attempts += 1
    try:
        if notifier is None:
            raise NotifyError(f"no notifier named {notification.channel}")
        notifier.send(notification.payload)
    except Exception as error:  # noqa: BLE001 - any notifier failure is recorded and retried, never raised
        notification.last_error = f"{type(error).__name__}: {error}"[:2000]
        exhausted = notification.attempts >= settings.ALERTS_NOTIFY_MAX_ATTEMPTS
        notification.status = NotificationStatus.FAILED if exhausted else NotificationStatus.RETRYING
        notification.save(update_fields=["attempts", "last_error", "status"])
        logger.warning(
            "alert notification %s via %s failed (attempt %s): %s",
            notification.pk,
            notification.channel,
            notification.attempts,
            error,
        )
        return None if exhausted else settings.ALERTS_NOTIFY_BACKOFF_S * 2 ** (notification.attempts - 1)
    notification.status = NotificationStatus.SENT
    notification.sent_at = datetime.now(UTC)
    notification.save(update_fields=["attempts", "status", "sent_at"])
    return None


# The broker away or its connection dropped (a Redis failover closes every connection).
BROKER_ERRORS = (kombu.exceptions.OperationalError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def alerts_tick(*, broker=None) -> dict[str, int]:
    """Beat's evaluation: ping the workers, then evaluate every rule (see alerts_evaluate)."""
    workers_ping(broker=broker)
    return alerts_evaluate()


def workers_ping(*, broker=None) -> int:
    """Record which Celery workers answer a ping now (the worker-heartbeat rule's input).

    A broker that cannot be reached records nobody: the heartbeat rule counts a worker gone
    only after ALERTS_WORKER_HEARTBEAT_TIMEOUT_S, so one skipped ping changes nothing. A ping
    that raised took the evaluation after it down too, and the queue-state-lost alert of a
    Redis failover fired a beat tick or more late (`make bench-cluster`). `broker`: a kombu
    connection to ping over instead of the app's own.
    """
    try:
        replies = current_app.control.ping(timeout=1.0, connection=broker) or []
    except BROKER_ERRORS as error:
        logger.warning("worker ping skipped: the broker is unavailable (%s)", type(error).__name__)
        return 0
    return workers_seen(hostnames=[hostname for reply in replies for hostname in reply])


def workers_seen(*, hostnames: list[str]) -> int:
    if hostnames:
        now = time.time()
        get_redis().zadd(sources.WORKERS_KEY, dict.fromkeys(hostnames, now))
    return len(hostnames)


def worker_forget(*, hostname: str) -> None:
    """A worker shut down on purpose: stop expecting its heartbeat."""
    get_redis().zrem(sources.WORKERS_KEY, hostname)
