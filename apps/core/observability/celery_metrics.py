"""Celery worker metrics: task rate by outcome, run time, queue wait, and queue lengths.

Counters and histograms are recorded in the pool's processes by the task signals wired in
`matchminds/celery.py` (summed across them through PROMETHEUS_MULTIPROC_DIR, as on web).
Queue lengths are read from the broker at scrape time. The worker's main process serves
them on CELERY_METRICS_PORT (off when 0), with the same bearer token as the web's /metrics.
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import datetime
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.conf import settings
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from apps.core.observability.registry import process_registry
from apps.core.redis import get_redis

PUBLISHED_AT_HEADER = "mm_published_at"
# Run times from a few ms (a pairing drain) up to the global time limit.
RUNTIME_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
WAIT_BUCKETS_S = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)

TASKS = Counter("matchminds_celery_tasks_total", "Celery tasks finished, by task name and outcome.", ["task", "state"])
RUNTIME = Histogram(
    "matchminds_celery_task_runtime_seconds", "Seconds a task ran in the worker.", ["task"], buckets=RUNTIME_BUCKETS_S
)
QUEUE_WAIT = Histogram(
    "matchminds_celery_task_queue_wait_seconds",
    "Seconds from publishing a task to a worker starting it.",
    ["task"],
    buckets=WAIT_BUCKETS_S,
)


def queue_names() -> list[str]:
    """Every queue tasks are routed to: the default one and those of CELERY_TASK_ROUTES."""
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values() if "queue" in route}
    return sorted({settings.CELERY_TASK_DEFAULT_QUEUE, *routed})


def task_started(request, *, now: float | None = None) -> None:
    """Called at task_prerun: remembers the start and records how long the task waited."""
    now = time.time() if now is None else now
    request.mm_started_at = time.monotonic()
    published_at = getattr(request, PUBLISHED_AT_HEADER, None)
    if not isinstance(published_at, int | float) or request.is_eager:
        return
    # A countdown (a retry's backoff) is not waiting: count from when the task became due.
    due_at = datetime.fromisoformat(request.eta).timestamp() if request.eta else published_at
    QUEUE_WAIT.labels(request.task).observe(max(0.0, now - max(published_at, due_at)))


def task_finished(request, *, task_name: str, state: str | None) -> None:
    """Called at task_postrun with Celery's final state (SUCCESS, FAILURE, RETRY, ...)."""
    started = getattr(request, "mm_started_at", None)
    if started is not None:
        RUNTIME.labels(task_name).observe(time.monotonic() - started)
    # Counted last: a scrape that sees the run also sees its time.
    TASKS.labels(task_name, (state or "unknown").lower()).inc()


class QueueLengthCollector:
    """matchminds_celery_queue_length{queue}: messages waiting in each Redis list Celery uses."""

    def collect(self):
        names = queue_names()
        pipe = get_redis().pipeline(transaction=False)
        for name in names:
            pipe.llen(name)
        family = GaugeMetricFamily("matchminds_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"])
        for name, length in zip(names, pipe.execute(), strict=True):
            family.add_metric([name], length)
        yield family


def metrics_app():
    """The WSGI app of the worker's metrics endpoint: process metrics plus queue lengths."""
    queues = CollectorRegistry(auto_describe=False)
    queues.register(QueueLengthCollector())
    processes = process_registry()

    def app(environ, start_response):
        token = settings.METRICS_BEARER_TOKEN
        header = environ.get("HTTP_AUTHORIZATION", "")
        if token and not (header.startswith("Bearer ") and secrets.compare_digest(header[7:].encode(), token.encode())):
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Not Found"]
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Not Found"]
        body = generate_latest(processes) + generate_latest(queues)
        start_response("200 OK", [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")])
        return [body]

    return app


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *_args) -> None:
        pass


def serve(*, port: int, host: str = "0.0.0.0") -> WSGIServer:  # noqa: S104 (scraped from other pods)
    """Start the endpoint on a daemon thread of the calling (main worker) process."""
    server = make_server(host, port, metrics_app(), server_class=_ThreadingServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, name="celery-metrics", daemon=True).start()
    return server
