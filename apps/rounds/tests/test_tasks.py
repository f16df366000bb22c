"""The round-start task on a real Celery worker: killed mid-start, the round still starts exactly once."""

import os
import signal
import subprocess
import time

import psycopg
import pytest
from django.conf import settings

from apps.rounds import services, tasks
from apps.rounds.models import Round, RoundPair, RoundSeat
from apps.rounds.tests.factories import checked_in_students, make_rounds_event

pytestmark = pytest.mark.django_db(transaction=True)


def database_connection() -> psycopg.Connection:
    db = settings.DATABASES["default"]
    return psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"])


def wait_for(condition, *, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def seat_insert_waiting(monitor: psycopg.Connection) -> bool:
    row = monitor.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%%INSERT INTO rounds_roundseat%%'"
    ).fetchone()
    return row[0] > 0


def test_a_worker_killed_in_the_middle_of_a_round_start_leaves_it_to_start_exactly_once(celery_worker_process):
    """Given the worker is held inside the start's transaction (rooms and pairs written, seats not),
    when it is killed -9, then nothing of the round stays, and the next ticks start it once."""
    event = make_rounds_event()
    checked_in_students(event, "FMFM")
    holder = database_connection()
    monitor = database_connection()
    monitor.autocommit = True
    holder.execute("LOCK TABLE rounds_roundseat IN EXCLUSIVE MODE")  # reads pass, inserts wait

    tasks.rounds_tick.delay(event.pk)
    wait_for(lambda: seat_insert_waiting(monitor))
    children = subprocess.run(["pgrep", "-P", str(celery_worker_process.pid)], capture_output=True, text=True).stdout.split()
    for pid in [celery_worker_process.pid, *map(int, children)]:
        os.kill(int(pid), signal.SIGKILL)
    celery_worker_process.wait()
    holder.rollback()
    holder.close()
    wait_for(lambda: not seat_insert_waiting(monitor))
    monitor.close()

    assert (Round.objects.count(), RoundPair.objects.count(), RoundSeat.objects.count()) == (0, 0, 0)
    assert services.clock_tick(event_id=event.pk).started is not None
    assert services.clock_tick(event_id=event.pk).started is None
    assert (Round.objects.count(), RoundPair.objects.count(), RoundSeat.objects.count()) == (1, 2, 4)
