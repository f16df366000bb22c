"""Live operations: telemetry retention, the dashboard, /metrics, alert rules and notifiers (apps/dashboard, apps/alerts)."""

from .environment import env
from .workers import CELERY_BEAT_SCHEDULE

METRICS_RETENTION_S = 48 * 60 * 60
METRICS_HISTORY_DAYS = env.int("METRICS_HISTORY_DAYS", default=30)
DASHBOARD_PUSH_INTERVAL_S = 1
DASHBOARD_UNIVERSITY_ROWS = 50
CELERY_BEAT_SCHEDULE["dashboard-snapshots"] = {
    "task": "apps.dashboard.tasks.publish_dashboard_snapshots",
    "schedule": DASHBOARD_PUSH_INTERVAL_S,
    "options": {"expires": DASHBOARD_PUSH_INTERVAL_S * 2},
}
CELERY_BEAT_SCHEDULE["metrics-flush"] = {"task": "apps.dashboard.tasks.flush_metrics", "schedule": 60}
# /metrics answers staff sessions, a bearer token, or these client networks; 404 otherwise.
METRICS_BEARER_TOKEN = env("METRICS_BEARER_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])
ALERTS_EVALUATION_INTERVAL_S = 10
ALERTS_REPEAT_INTERVAL_S = env.int("ALERTS_REPEAT_INTERVAL_S", default=4 * 60 * 60)
ALERTS_WORKER_HEARTBEAT_TIMEOUT_S = 60
# A worker silent this long is assumed replaced (pods come back under new hostnames).
ALERTS_WORKER_FORGET_AFTER_S = env.int("ALERTS_WORKER_FORGET_AFTER_S", default=15 * 60)
CELERY_BEAT_SCHEDULE["alerts-evaluate"] = {
    "task": "apps.alerts.tasks.evaluate_alert_rules",
    "schedule": ALERTS_EVALUATION_INTERVAL_S,
    "options": {"expires": ALERTS_EVALUATION_INTERVAL_S},
}
CELERY_BEAT_SCHEDULE["alerts-reconcile"] = {"task": "apps.dashboard.tasks.reconcile_metrics", "schedule": 60}
# Notifiers: each switches on when its variable is set.
ALERTS_SLACK_WEBHOOK_URL = env("ALERTS_SLACK_WEBHOOK_URL", default="")
ALERTS_SLACK_MIN_INTERVAL_S = 1.0
ALERTS_WEBHOOK_URL = env("ALERTS_WEBHOOK_URL", default="")
ALERTS_EMAIL_TO = env.list("ALERTS_EMAIL_TO", default=[])
ALERTS_SNS_TOPIC_ARN = env("ALERTS_SNS_TOPIC_ARN", default="")
ALERTS_SNS_REGION = env("ALERTS_SNS_REGION", default="ap-northeast-2")
ALERTS_SNS_ENDPOINT_URL = env("ALERTS_SNS_ENDPOINT_URL", default=None)
ALERTS_NOTIFY_TIMEOUT_S = 5
ALERTS_NOTIFY_MAX_ATTEMPTS = 5
ALERTS_NOTIFY_BACKOFF_S = 2
ALERTS_DASHBOARD_BASE_URL = env("ALERTS_DASHBOARD_BASE_URL", default="")
