"""A redis-server of a test's or benchmark's own on a free port, keeping nothing on disk.

Fault tests and benchmarks restart or kill it to lose Redis's data; the system Redis is never touched.
"""

import os
import signal
import socket
import subprocess
import tempfile
import time


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    def __init__(self, *, extra_args: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="private-redis-")
        self.extra_args = extra_args
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start (again, on the same port) and return once it accepts connections."""
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", self.dir, *self.extra_args],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def restart_empty(self) -> float:
        """SIGKILL (nothing saved) and start again on the same port; returns the seconds it was down."""
        started = time.monotonic()
        self.kill()
        self.start()
        return time.monotonic() - started
