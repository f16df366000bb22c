import os
from pathlib import Path

from celery import Celery
from celery.signals import beat_init, heartbeat_sent, worker_ready, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matchminds.settings.local")

# matchminds.broker: the worker reconnects after a Redis restart instead of exiting.
app = Celery("matchminds", amqp="matchminds.broker:BrokerAMQP")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _touch_heartbeat_file() -> None:
    # Kubernetes probes the file's age: a cheap liveness check that needs no broker round trip.
    from django.conf import settings

    Path(settings.CELERY_WORKER_HEARTBEAT_FILE).touch()


@worker_ready.connect
def _worker_ready(sender=None, **_kwargs) -> None:
    _touch_heartbeat_file()
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
