import gc
import os
import time
from pathlib import Path

from celery import Celery
from celery.signals import (
    beat_init,
    before_task_publish,
    heartbeat_sent,
    task_postrun,
    task_prerun,
    worker_process_init,
    worker_ready,
    worker_shutdown,
)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matchminds.settings.local")

# matchminds.broker: the worker reconnects after a Redis restart instead of exiting.
app = Celery("matchminds", amqp="matchminds.broker:BrokerAMQP")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _touch_heartbeat_file() -> None:
    # Kubernetes probes the file's age: a cheap liveness check that needs no broker round trip.
    from django.conf import settings

    Path(settings.CELERY_WORKER_HEARTBEAT_FILE).touch()


def _tune_garbage_collector() -> None:
    """Keep what the worker loaded at startup (Django, the apps, their modules) out of the
    collector's passes, and collect the young generation less often. A round start for 5,000
    students allocates hundreds of thousands of objects: with CPython's thresholds the passes
    that walked the whole heap took 433 of its 1,167 ms of CPU, 32 ms once frozen and tuned."""
    from django.conf import settings

    gc.freeze()
    gc.set_threshold(*settings.WORKER_GC_THRESHOLDS)


@worker_ready.connect
def _worker_ready(sender=None, **_kwargs) -> None:
    _touch_heartbeat_file()
    # The solo pool runs tasks in this process; a prefork pool's children tune themselves.
    _tune_garbage_collector()
    from django.conf import settings

    from apps.core.observability import celery_metrics

    if settings.CELERY_METRICS_PORT:
        celery_metrics.serve(port=settings.CELERY_METRICS_PORT)
    # Register the worker so the "worker heartbeat missing" alert knows whom to expect.
    from apps.alerts.services import workers_seen

    workers_seen(hostnames=[sender.hostname])


@worker_shutdown.connect
def _worker_shutdown(sender=None, **_kwargs) -> None:
    from apps.alerts.services import worker_forget

    worker_forget(hostname=sender.hostname)


@heartbeat_sent.connect
def _worker_heartbeat(**_kwargs) -> None:
    _touch_heartbeat_file()


@beat_init.connect
def _beat_ready(**_kwargs) -> None:
    _touch_heartbeat_file()


# Observability plumbing (apps.core.observability), not business logic: the ids of the request
# or socket that published a task travel in a header, and the worker's log lines carry them;
# the publish time gives the queue wait, and every run is counted and timed.
@before_task_publish.connect
def _propagate_log_context(headers=None, **_kwargs) -> None:
    from apps.core.observability import celery_metrics, context

    if headers is None:
        return
    fields = context.propagated()
    if fields:
        headers[context.CELERY_HEADER] = fields
    headers[celery_metrics.PUBLISHED_AT_HEADER] = time.time()


@task_prerun.connect
def _bind_log_context(task_id=None, task=None, **_kwargs) -> None:
    from apps.core.observability import celery_metrics, context

    inherited = getattr(task.request, context.CELERY_HEADER, None) or {}
    task.request.mm_log_context_token = context.replace({**inherited, "task_id": task_id, "task_name": task.name})
    celery_metrics.task_started(task.request)


@task_postrun.connect
def _unbind_log_context(task=None, state=None, **_kwargs) -> None:
    from apps.core.observability import celery_metrics, context

    celery_metrics.task_finished(task.request, task_name=task.name, state=state)
    token = getattr(task.request, "mm_log_context_token", None)
    if token is not None:
        context.reset(token)


@worker_process_init.connect
def _configure_tracing(**_kwargs) -> None:
    # After the fork: the span exporter's thread must live in the process that records spans.
    from apps.core.observability import tracing

    tracing.configure(component="worker")
    _tune_garbage_collector()
