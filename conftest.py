"""Fixtures shared by every test: real Redis, real PostgreSQL, real processes, real browser."""

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection

from apps.core.redis import get_redis

ROOT = Path(__file__).resolve().parent
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(autouse=True)
def clean_redis() -> Iterator[None]:
    """Every test starts with an empty Redis test database (never the `make run` one)."""
    client = get_redis()
    assert client.connection_pool.connection_kwargs.get("db", 0) != 0, "Refusing to flush Redis database 0 in tests"
    client.flushdb()
    yield


@pytest.fixture(autouse=True)
def reference_data(request) -> None:
    """Data that migrations seed (universities, interests, built-in alert rules) comes back after a transactional test's flush."""
    uses_database = {"db", "transactional_db"} & set(request.fixturenames)
    if request.node.get_closest_marker("django_db") is None and not uses_database:
        return
    request.getfixturevalue("transactional_db" if "transactional_db" in request.fixturenames else "db")
    # A transactional test's flush recreates the content types under new ids; the process's
    # cache of them would name rows that are gone (the admin log's foreign key then fails).
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    from apps.accounts.models import Interest, University, UniversityDomain
    from apps.accounts.seed_data import INTERESTS, load_reference_data

    if Interest.objects.count() < len(INTERESTS):
        load_reference_data(university_model=University, domain_model=UniversityDomain, interest_model=Interest)
    from apps.alerts.builtin import builtin_rules_install
    from apps.alerts.models import AlertRule

    builtin_rules_install(rule_model=AlertRule)
    from apps.policies.first_versions import first_versions_install
    from apps.policies.models import PolicyVersion

    first_versions_install(version_model=PolicyVersion)


class FrameRecorder(list):
    """Frames that services sent after commit, as (groups, frame).

    Call it as a context manager around the code under test: on leaving, the on-commit
    hooks run as a real commit would run them, and their frames land in the list.
    """

    def __init__(self, capture_on_commit) -> None:
        super().__init__()
        self._capture_on_commit = capture_on_commit

    def __call__(self):
        return self._capture_on_commit(execute=True)


@pytest.fixture
def sent_frames(monkeypatch, django_capture_on_commit_callbacks) -> FrameRecorder:
    from apps.realtime import events

    recorder = FrameRecorder(django_capture_on_commit_callbacks)
    monkeypatch.setattr(events, "_group_send_now", lambda groups, frame: recorder.append((list(groups), frame)))
    monkeypatch.setattr(
        events,
        "_group_send_many_now",
        lambda pairs: recorder.extend((list(groups), frame) for groups, frame, _except_channel in pairs),
    )
    return recorder


async def eventually(condition, within_s: float = 5.0) -> None:
    """Polls a sync `condition` (ORM or Redis reads) from an async test until it holds.

    For what a socket does after its answer frame, e.g. the presence refresh after a `pong`.
    """
    deadline = time.monotonic() + within_s
    while not await sync_to_async(condition)():
        assert time.monotonic() < deadline, f"not true within {within_s} s"
        await asyncio.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _process_env() -> dict[str, str]:
    """Environment for child processes: the same test database and Redis as this test."""
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="matchminds.settings.test",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        REDIS_URL=settings.REDIS_URL,
        PYTHONUNBUFFERED="1",
    )
    return env


def _wait_for_port(port: int, process: subprocess.Popen, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited early with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {timeout_s}s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def run_daphne(*, port: int | None = None, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """A real daphne process serving the app (on `port` or a free one, with `extra_env` on top
    of the test environment, e.g. to switch an integration on); yields its base URL."""
    port = port or free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "daphne.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "matchminds.asgi:application"],
        cwd=ROOT,
        env={**_process_env(), **(extra_env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)
        log.close()


@pytest.fixture
def daphne_server(transactional_db) -> Iterator[str]:
    """A real daphne process serving the app on a free port; yields its base URL."""
    with run_daphne() as url:
        yield url


@contextmanager
def run_celery_worker(
    *, extra_env: dict[str, str] | None = None, log_name: str = "celery-worker.log"
) -> Iterator[subprocess.Popen]:
    """A real Celery worker process against the test database and Redis (with `extra_env` on
    top of the test environment), logging to test-artifacts/`log_name`; yields once it answers a ping."""
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / log_name, "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "matchminds",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            "2",
            "--pool",
            "prefork",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env={**_process_env(), **(extra_env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        from matchminds.celery import app

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"celery worker exited early; see test-artifacts/{log_name}")
            if app.control.ping(timeout=0.5):
                break
        else:
            raise TimeoutError("celery worker did not answer ping")
        yield process
    finally:
        _stop(process)
        log.close()


@pytest.fixture
def celery_worker_process(transactional_db) -> Iterator[subprocess.Popen]:
    """A real Celery worker process (plus nothing else) against the test database and Redis."""
    with run_celery_worker() as process:
        yield process


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright; the browser is never downloaded.

    One per test module, not per session: Playwright's sync API keeps its event loop marked as
    running in the main thread while it is open, and pytest-django runs the tests without a
    database after all the others, so a session-wide browser made every later `async def` test
    fail ("Runner.run() cannot be called from a running event loop").
    """
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def browser_context(browser):
    context = browser.new_context(locale="ko-KR", viewport={"width": 420, "height": 900})
    yield context
    context.close()


def save_screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def db_name() -> str:
    return connection.settings_dict["NAME"]
