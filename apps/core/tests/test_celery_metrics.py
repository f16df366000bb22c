"""A real worker's metrics endpoint counts, times and exposes tasks and queue lengths."""

import re
import threading
import time

import pytest
import requests
from prometheus_client import CollectorRegistry, generate_latest

from apps.core.observability.celery_metrics import QueueLengthCollector, queue_names
from apps.core.tests.test_observability import SentryIngest
from apps.events.tests.factories import make_event
from conftest import free_port, run_celery_worker
from matchminds.celery import app

DRAIN_TASK = "apps.matching.tasks.drain_arrivals"
TOKEN = "worker-scrape-token"


def _sample(text: str, name: str, **labels: str) -> float | None:
    selector = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    match = re.search(rf"^{name}\{{{re.escape(selector)}\}} (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else None


def test_the_queues_are_the_default_one_when_nothing_is_routed_elsewhere():
    assert queue_names() == ["celery"]


def test_queue_length_is_read_from_the_broker_at_scrape_time():
    # Given three tasks published while no worker runs
    for _ in range(3):
        app.send_task(DRAIN_TASK, args=[0])
    registry = CollectorRegistry()
    registry.register(QueueLengthCollector())
    assert _sample(generate_latest(registry).decode(), "matchminds_celery_queue_length", queue="celery") == 3.0


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_worker_serves_task_outcomes_run_time_and_queue_wait_and_reports_the_failure_to_sentry(tmp_path):
    event = make_event()
    port = free_port()
    ingest = SentryIngest()
    threading.Thread(target=ingest.serve_forever, daemon=True).start()
    env = {
        "CELERY_METRICS_PORT": str(port),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "METRICS_BEARER_TOKEN": TOKEN,
        "SENTRY_DSN": f"http://publickey@127.0.0.1:{ingest.server_address[1]}/7",
    }
    url = f"http://127.0.0.1:{port}/metrics"
    with run_celery_worker(extra_env=env, log_name="celery-worker-metrics.log"):
        # When one task succeeds and one fails (called without its argument)
        app.send_task(DRAIN_TASK, args=[event.pk])
        app.send_task(DRAIN_TASK, args=[])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            text = requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5).text
            if _sample(text, "matchminds_celery_tasks_total", task=DRAIN_TASK, state="failure"):
                break
            time.sleep(0.2)
        refused = requests.get(url, timeout=5)
        deadline = time.monotonic() + 10
        while not ingest.events() and time.monotonic() < deadline:
            time.sleep(0.1)
    ingest.shutdown()
    ingest.server_close()

    # Then the scrape shows one of each, both timed, and the queue empty again.
    assert _sample(text, "matchminds_celery_tasks_total", task=DRAIN_TASK, state="success") == 1.0
    assert _sample(text, "matchminds_celery_tasks_total", task=DRAIN_TASK, state="failure") == 1.0
    assert _sample(text, "matchminds_celery_task_runtime_seconds_count", task=DRAIN_TASK) == 2.0
    assert _sample(text, "matchminds_celery_task_queue_wait_seconds_count", task=DRAIN_TASK) == 2.0
    assert _sample(text, "matchminds_celery_queue_length", queue="celery") == 0.0
    assert refused.status_code == 404
    # The failing run reached Sentry from the worker, tagged with the task.
    [report] = ingest.events()
    assert report["exception"]["values"][-1]["type"] == "TypeError"
    assert report["tags"]["task_name"] == DRAIN_TASK


def test_queue_wait_counts_from_when_a_delayed_task_became_due():
    from datetime import UTC, datetime

    from celery.app.task import Context
    from prometheus_client import REGISTRY

    from apps.core.observability import celery_metrics

    task = "tests.delayed_task"
    # Given a retry published at t=1000 with a 30 s countdown, started at t=1032
    request = Context(task=task, is_eager=False, mm_published_at=1000.0, eta=datetime.fromtimestamp(1030.0, tz=UTC).isoformat())
    celery_metrics.task_started(request, now=1032.0)
    # then it waited 2 s, not 32 s.
    labels = {"task": task}
    assert REGISTRY.get_sample_value("matchminds_celery_task_queue_wait_seconds_count", labels) == 1.0
    assert REGISTRY.get_sample_value("matchminds_celery_task_queue_wait_seconds_sum", labels) == 2.0
