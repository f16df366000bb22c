"""Tasks queued by name must name registered tasks: a typo would only show in a worker's log."""

import re
from pathlib import Path

import pytest
from celery import current_app
from django.db import transaction

from apps.core.task_queue import task_send, task_send_on_commit

ROOT = Path(__file__).resolve().parents[3]
QUEUED_NAME = re.compile(r"task_send(?:_on_commit)?\(\s*\"([\w.]+)\"")


def queued_task_names() -> set[str]:
    return {
        name
        for path in (ROOT / "apps").rglob("*.py")
        if "tests" not in path.parts
        for name in QUEUED_NAME.findall(path.read_text(encoding="utf-8"))
    }


def test_every_task_queued_by_name_is_registered():
    # given the project's Celery app with every app's tasks module loaded
    current_app.loader.import_default_modules()
    # when the names the services queue are collected
    names = queued_task_names()
    # then there are some, and each is a registered task
    assert {"apps.moderation.tasks.moderate_image", "apps.alerts.tasks.deliver_notification"} <= names
    assert sorted(names - set(current_app.tasks)) == []


@pytest.mark.django_db
def test_a_task_is_queued_only_after_commit(monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args: sent.append((name, args)))
    # given an open transaction that queues a task
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        task_send_on_commit("apps.moderation.tasks.moderate_image", 7)
        # then nothing leaves before the commit
        assert sent == []
    # and the task leaves by name with its arguments afterwards
    assert sent == [("apps.moderation.tasks.moderate_image", (7,))]


def test_a_task_sent_now_leaves_at_once_with_its_countdown(monkeypatch):
    sent = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args, countdown: sent.append((name, args, countdown)))
    task_send("apps.moderation.tasks.moderate_image", 7, countdown=30)
    assert sent == [("apps.moderation.tasks.moderate_image", (7,), 30)]
