"""Logs, traces and error reports that follow one request, socket or task across processes.

`context` keeps the ids a log line carries (request, user, WebSocket connection, task) and
hands them from web to the Celery tasks it triggers; `tracing` sets up OpenTelemetry when an
OTLP endpoint is configured; `errors` sets up Sentry when a DSN is configured. Both are off
by default and cost nothing then.
"""
