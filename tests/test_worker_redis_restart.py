"""A real Celery worker outlives restarts of its Redis broker (a private redis-server on a free port)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from kombu import Exchange, Queue

from matchminds.celery import app
from scripts.private_redis import PrivateRedis

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
pytestmark = pytest.mark.integration


def _answers_ping(broker_url: str, within_s: float) -> bool:
    """The worker answers a broadcast ping through the broker: it is connected and consuming."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        client = Celery("ping", broker=broker_url)
        try:
            if client.control.ping(timeout=0.5):
                return True
        except (OSError, redis.ConnectionError):
            time.sleep(0.2)
        finally:
            client.close()
    return False


@pytest.fixture
def broker():
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def worker(transactional_db, broker):
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "matchminds.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": broker.url,
        "PYTHONUNBUFFERED": "1",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "celery-worker-broker-restart.log", "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "matchminds", "worker", "--loglevel", "INFO", "--concurrency", "1"]
            + ["--include", "tests.worker_tasks"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            assert _answers_ping(broker.url, within_s=60)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _hold_a_task(broker_url: str, marker: Path) -> None:
    """Has the worker run a task whose message stays unacknowledged (acks_late) for a few seconds."""
    client = Celery("sender", broker=broker_url)
    try:
        client.send_task("tests.worker_tasks.hold", args=[str(marker), 5])
    finally:
        client.close()
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert time.monotonic() < deadline, "the worker did not start the task"
        time.sleep(0.05)


def test_worker_reconnects_after_each_of_two_redis_restarts(broker, worker, tmp_path):
    for restart in range(2):
        # Given a worker running a task whose message it has not acknowledged yet
        _hold_a_task(broker.url, tmp_path / f"started-{restart}")

        # When Redis goes away for a moment and comes back empty
        broker.stop()
        time.sleep(2)
        broker.start()

        # Then the same worker process reconnects and answers again
        assert _answers_ping(broker.url, within_s=30)
        assert worker.poll() is None


def test_a_broker_connection_lost_mid_poll_is_collected_then_closed_without_error(broker):
    """The worker's sequence after a lost connection (collect(), then close()) with Redis down.

    The default channel holds an unacknowledged message, a fanout queue (as gossip and remote
    control bind) and an outstanding BRPOP, as a worker's does when Redis goes away.
    """
    connection = app.connection_for_write(broker.url)
    channel = connection.default_channel
    work = connection.SimpleQueue("restart-probe")
    work.put({"n": 1})
    work.get(timeout=2)
    broadcast = Queue("restart-probe-fanout", Exchange("restart-probe-bcast", type="fanout"), auto_delete=True)
    connection.Consumer(broadcast, channel=channel, callbacks=[lambda body, message: None]).consume()
    channel._brpop_start()

    broker.stop()
    connection.collect(socket_timeout=1)
    connection.close()

    assert connection.connected is False
    # The half-closed channel would try to put its message back at interpreter exit (kombu's
    # finalizer), long after this test's Redis is gone: only noise here.
    channel.qos._on_collect.cancel()
