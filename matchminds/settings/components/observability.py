"""Logs, traces and error reports (apps/core/observability)."""

from django.core.exceptions import ImproperlyConfigured

from .environment import env

# Logs: one JSON object per line (LOG_FORMAT=plain for people reading a terminal), carrying the
# request, user, WebSocket connection and Celery task ids of apps.core.observability.context.
LOG_FORMAT = env("LOG_FORMAT", default="json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured("LOG_FORMAT must be json or plain.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"log_context": {"()": "apps.core.observability.context.LogContextFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["log_context"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
# Celery workers log through LOGGING above instead of replacing the root logger's handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Traces (apps.core.observability.tracing): exported over OTLP/HTTP when an endpoint is set,
# off otherwise. The exporter reads the standard OTEL_EXPORTER_OTLP_* variables itself.
TRACING_ENABLED = bool(env("OTEL_EXPORTER_OTLP_ENDPOINT", default="") or env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", default=""))
TRACING_SERVICE_NAME = env("OTEL_SERVICE_NAME", default="")
# Error reports (apps.core.observability.errors): Sentry, on when a DSN is set.
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="local")
SENTRY_RELEASE = env("SENTRY_RELEASE", default="")
