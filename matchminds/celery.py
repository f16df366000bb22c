import os
from pathlib import Path

from celery import Celery
from celery.signals import beat_init, heartbeat_sent, worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matchminds.settings.local")

app = Celery("matchminds")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _touch_heartbeat_file() -> None:
    # Kubernetes probes the file's age: a cheap liveness check that needs no broker round trip.
    from django.conf import settings

    Path(settings.CELERY_WORKER_HEARTBEAT_FILE).touch()


@worker_ready.connect
def _worker_ready(**_kwargs) -> None:
    _touch_heartbeat_file()


@heartbeat_sent.connect
def _worker_heartbeat(**_kwargs) -> None:
    _touch_heartbeat_file()


@beat_init.connect
def _beat_ready(**_kwargs) -> None:
    _touch_heartbeat_file()
