"""`make run`'s supervisor (scripts/supervisor.py, scripts/run.py): one crashed process is restarted,
the others keep running, and SIGTERM stops everything."""

import io
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from django.conf import settings

from scripts.supervisor import Program, Supervisor

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


def _until(condition, within_s: float, what: str) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_program_that_keeps_crashing_is_restarted_with_growing_backoff_while_the_other_runs_on():
    # Given a steady program and one that exits at once, every time
    out = io.StringIO()
    # (die_with_parent off: the test process has threads; the make run test below covers it)
    supervisor = Supervisor(backoff_initial_s=0.2, backoff_max_s=0.8, die_with_parent=False, out=out)
    supervisor.add(Program("steady", [sys.executable, "-c", "import time; time.sleep(60)"]))
    supervisor.add(Program("crashy", [sys.executable, "-c", "print('bye'); raise SystemExit(3)"]))
    steady_pid = supervisor.pid("steady")
    try:
        # When the supervisor has run for a while
        supervisor.run(until=lambda: out.getvalue().count("crashy exited with status 3") >= 4, timeout_s=20)
    finally:
        supervisor.stop()

    # Then the crashing one was restarted with backoff 0.2, 0.4, 0.8, 0.8 s and the steady one never restarted
    lines = [(line[9:].split(" | ", 1)) for line in out.getvalue().splitlines()]
    delays = [text.split("restarting it in ")[1] for name, text in lines if name.strip() == "supervisor" and "exited" in text]
    assert delays[:4] == [f"{delay} s, the other processes keep running" for delay in ("0.2", "0.4", "0.8", "0.8")]
    assert ["crashy", "bye"] in [[name.strip(), text] for name, text in lines]
    assert supervisor.pid("steady") == steady_pid
    assert not psutil.pid_exists(steady_pid)


def _supervised_children(supervisor: psutil.Process) -> dict[str, int]:
    roles = {}
    for child in supervisor.children():
        try:
            command = " ".join(child.cmdline())
        except psutil.Error:  # the killed worker, until the supervisor reaps it
            continue
        for role in ("daphne", "worker", "beat"):
            if f" {role}" in command or command.endswith(role) or f"/{role} " in command:
                roles[role] = child.pid
    return roles


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.integration
def test_make_run_restarts_a_killed_worker_while_the_web_keeps_serving_and_sigterm_stops_all(transactional_db):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    # Given `make run`'s supervisor with web, worker and beat on the test database and Redis
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "LOCAL_SERVERS": "system",
        "PORT": str(free_port),
        "PYTHONUNBUFFERED": "1",
    }
    url = f"http://127.0.0.1:{free_port}/"
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / "make-run-supervisor.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "scripts.run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    supervisor = psutil.Process(process.pid)
    try:
        _until(lambda: _healthy(url), 120, "the web process")
        _until(lambda: len(_supervised_children(supervisor)) == 3, 30, "web, worker and beat")
        before = _supervised_children(supervisor)

        # When the worker's main process is killed outright
        os.kill(before["worker"], signal.SIGKILL)

        # Then it comes back as a new process, with a log line, and web and beat were never touched
        _until(lambda: _supervised_children(supervisor).get("worker", before["worker"]) != before["worker"], 30, "a new worker")
        after = _supervised_children(supervisor)
        assert after["daphne"] == before["daphne"]
        assert after["beat"] == before["beat"]
        assert _healthy(url)
        assert "worker was killed by signal 9; restarting it in 1.0 s" in log_path.read_text()

        # And SIGTERM stops the supervisor and every process it ran
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        assert not any(psutil.pid_exists(pid) for pid in after.values())
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
