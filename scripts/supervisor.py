"""Keeps the processes of `make run` running: one that exits is restarted, the others never notice.

Each program runs in a process group of its own, so a stop or a restart reaches its children too
(Celery's pool, PostgreSQL's backends) and a Ctrl-C in the terminal reaches only the supervisor,
which then stops everything in order: the app first, then the servers it uses. A program that
exits is restarted after a backoff (1 s, doubling up to 30 s; back to 1 s once it stayed up a
minute), with one log line. On Linux every program gets SIGTERM when the supervisor itself dies,
even by `kill -9`, so none outlives it.
"""

import contextlib
import ctypes
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

PR_SET_PDEATHSIG = 1
# Looked up once here: the forked child only calls it.
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


@dataclass
class Program:
    name: str
    argv: list[str]
    env: dict[str, str] | None = None
    # Servers (tier 0) start first and stop last; the app (tier 1) stops first.
    tier: int = 1
    # Run as this (uid, gid) with no supplementary groups: PostgreSQL refuses to run as root.
    user: tuple[int, int] | None = None
    stop_signal: int = signal.SIGTERM
    # A oneshot program that exits with status 0 is done, not restarted.
    oneshot: bool = False


@dataclass
class _Running:
    program: Program
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    failures: int = 0
    restart_at: float | None = None
    done: bool = False
    buffer: bytes = field(default=b"")


class Supervisor:
    def __init__(
        self,
        *,
        backoff_initial_s: float = 1.0,
        backoff_max_s: float = 30.0,
        stable_after_s: float = 60.0,
        stop_timeout_s: float = 10.0,
        die_with_parent: bool = True,
        out=None,
    ):
        """die_with_parent: programs get SIGTERM when the supervisor dies (Linux; it runs code between
        fork and exec, so only for a single-threaded supervisor like scripts/run.py)."""
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.stable_after_s = stable_after_s
        self.stop_timeout_s = stop_timeout_s
        self.die_with_parent = die_with_parent and _LIBC is not None
        self.out = out or sys.stdout
        self.running: dict[str, _Running] = {}
        self.selector = selectors.DefaultSelector()
        self.width = len("supervisor")

    def log(self, name: str, text: str) -> None:
        self.out.write(f"{time.strftime('%H:%M:%S')} {name:<{self.width}} | {text}\n")
        self.out.flush()

    def add(self, program: Program) -> None:
        self.width = max(self.width, len(program.name))
        entry = _Running(program)
        self.running[program.name] = entry
        self._spawn(entry)

    def pid(self, name: str) -> int:
        return self.running[name].process.pid

    def _spawn(self, entry: _Running) -> None:
        program = entry.program
        entry.process = subprocess.Popen(  # noqa: S603 - argv built by scripts/run.py
            program.argv,
            env=program.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **identity(program.user),
            preexec_fn=_die_with_parent if self.die_with_parent else None,  # noqa: PLW1509 - see __init__
        )
        os.set_blocking(entry.process.stdout.fileno(), False)
        self.selector.register(entry.process.stdout, selectors.EVENT_READ, entry)
        entry.started_at = time.monotonic()
        entry.restart_at = None

    def run(self, until: Callable[[], bool] | None = None, timeout_s: float | None = None) -> bool:
        """Relays output and restarts exited programs until `until()` holds (True) or the time is up (False).

        With neither, runs until interrupted (SIGINT/SIGTERM raise KeyboardInterrupt, see `install_signal_handlers`).
        """
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            if until is not None and until():
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False
            self._relay_output(0.2)
            self._reap_and_restart()

    def _relay_output(self, wait_s: float) -> None:
        for key, _ in self.selector.select(wait_s):
            entry = key.data
            try:
                chunk = os.read(key.fileobj.fileno(), 65536)
            except BlockingIOError:
                continue
            if not chunk:
                self.selector.unregister(key.fileobj)
                self._flush(entry, final=True)
                continue
            entry.buffer += chunk
            self._flush(entry)

    def _flush(self, entry: _Running, final: bool = False) -> None:
        *lines, entry.buffer = entry.buffer.split(b"\n")
        if final and entry.buffer:
            lines.append(entry.buffer)
            entry.buffer = b""
        for line in lines:
            self.log(entry.program.name, line.decode(errors="replace").rstrip())

    def _reap_and_restart(self) -> None:
        now = time.monotonic()
        for entry in self.running.values():
            if entry.done:
                continue
            if entry.restart_at is not None:
                if now >= entry.restart_at:
                    self.log("supervisor", f"restarting {entry.program.name} (restart {entry.failures})")
                    self._spawn(entry)
                continue
            status = entry.process.poll()
            if status is None:
                continue
            self._on_exit(entry, status, now)

    def _on_exit(self, entry: _Running, status: int, now: float) -> None:
        name = entry.program.name
        _kill_group(entry.process.pid)
        if entry.program.oneshot and status == 0:
            entry.done = True
            return
        if now - entry.started_at >= self.stable_after_s:
            entry.failures = 0
        entry.failures += 1
        delay = min(self.backoff_initial_s * 2 ** (entry.failures - 1), self.backoff_max_s)
        how = f"was killed by signal {-status}" if status < 0 else f"exited with status {status}"
        self.log("supervisor", f"{name} {how}; restarting it in {delay:.1f} s, the other processes keep running")
        entry.restart_at = now + delay

    def stop(self) -> None:
        """Stops every program, highest tier first; SIGKILL for any still running after the timeout."""
        for tier in sorted({entry.program.tier for entry in self.running.values()}, reverse=True):
            entries = [entry for entry in self.running.values() if entry.program.tier == tier]
            for entry in entries:
                entry.done = True
                if entry.process.poll() is None:
                    _signal_group(entry.process.pid, entry.program.stop_signal)
            deadline = time.monotonic() + self.stop_timeout_s
            while time.monotonic() < deadline and any(entry.process.poll() is None for entry in entries):
                self._relay_output(0.1)
            for entry in entries:
                _kill_group(entry.process.pid)
                entry.process.wait()
        self._relay_output(0)


def install_signal_handlers() -> None:
    """SIGTERM behaves like Ctrl-C: both raise KeyboardInterrupt in the main loop, which then stops everything."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)


def identity(user: tuple[int, int] | None) -> dict:
    return {} if user is None else {"user": user[0], "group": user[1], "extra_groups": []}


def _die_with_parent() -> None:
    _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


def _kill_group(pid: int) -> None:
    """Removes what is left of a program's process group (e.g. Celery pool children of a killed worker)."""
    _signal_group(pid, signal.SIGKILL)
