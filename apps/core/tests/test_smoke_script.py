"""The `helm test` smoke script against a real daphne, and against nothing."""

import os
import subprocess
import sys

import pytest

from conftest import ROOT, free_port

pytestmark = [pytest.mark.integration]


def _smoke(base_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SMOKE_BASE_URL": base_url, "SMOKE_HOST": "localhost", "SMOKE_PAUSE_S": "0.1"}
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "smoke_test.py")], env=env, capture_output=True, text=True, timeout=60
    )


def test_the_smoke_script_passes_against_a_healthy_server(daphne_server):
    result = _smoke(daphne_server)
    assert (result.returncode, result.stdout) == (0, f"smoke test: {daphne_server} healthy and ready\n")


def test_the_smoke_script_fails_with_the_reason_when_nothing_answers():
    result = _smoke(f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 1
    assert result.stderr.startswith("smoke test failed: /healthz: <urlopen error [Errno 111] Connection refused>")
