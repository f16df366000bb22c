"""Queueing Celery tasks from services, by name.

A service never imports its app's `tasks.py` (the tasks import the services): it queues the
task by its registered name once the current transaction commits, so a task never reads a
row that is not there yet. `apps/core/tests/test_task_queue.py` checks every name is registered.
"""

from celery import current_app
from django.db import transaction


def task_send_on_commit(name: str, *args, countdown: float | None = None) -> None:
    """Queue the task `name` (e.g. "apps.moderation.tasks.moderate_image") with `args` after commit,
    to start after `countdown` seconds when given."""
    options = {} if countdown is None else {"countdown": countdown}
    transaction.on_commit(lambda: current_app.send_task(name, args=args, **options))


def task_send(name: str, *args, countdown: float | None = None) -> None:
    """Queue the task `name` with `args` now, to start after `countdown` seconds (a grace
    period that must run whether or not the caller's transaction commits)."""
    current_app.send_task(name, args=args, countdown=countdown)
