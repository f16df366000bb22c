"""docs/capacity.md comes from the benchmarks' JSON lines (scripts/capacity_report.py)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOSTS = ("lb", "web1", "web2", "worker1", "worker2", "beat", "redis1", "redis2", "data")


def _per_host(daphne: float, celery: float, postgresql: float, redis: float) -> dict:
    values = {"lb": 0.1, "web1": daphne / 2, "web2": daphne / 2, "worker1": celery / 2, "worker2": celery / 2, "beat": 0.0}
    return {**values, "redis1": redis, "redis2": 0.0, "data": postgresql}


def test_the_report_sizes_pods_and_costs_from_measured_cpu_per_unit(tmp_path):
    # Given a cluster run and a capacity run with round numbers
    cluster = tmp_path / "cluster.out"
    summary = {"bench": "cluster", "students": 2000, "lost": 0}
    detail = {
        "bench": "cluster-detail",
        "cpu_ms_per_connect": _per_host(2.0, 0.2, 0.4, 0.2),
        "cpu_ms_per_idle_socket_minute": _per_host(0.6, 0.0, 0.0, 0.0),
        "cpu_ms_per_message": _per_host(1.0, 0.1, 0.5, 0.02),
        "cpu_ms_per_pairing": _per_host(4.0, 7.0, 2.0, 0.5),
    }
    cluster.write_text("log line\n" + json.dumps(detail) + "\n" + json.dumps(summary) + "\n")
    capacity = tmp_path / "capacity.out"
    sizes = [
        {"waiting": n, "pairings_per_s": 900, "redis_cpu_ms_per_pairing": 0.25, "redis_ceiling_pairings_per_s": 4000}
        for n in (5000, 50000, 200000)
    ]
    capacity.write_text(
        json.dumps({"bench": "matching-capacity-detail", "sizes": sizes})
        + "\n"
        + json.dumps({"bench": "matching-capacity", "pairings_per_s_5k": 900})
        + "\n"
    )
    out = tmp_path / "capacity.md"
    # When the report is generated
    subprocess.run(
        [sys.executable, "scripts/capacity_report.py", "--cluster", str(cluster), "--capacity", str(capacity), "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    text = out.read_text()
    # Then daphne needs 100,000 x 0.6 ms/min / 60 s + 20,000/s x 1 ms + 1,000 pairings/s x 4 ms
    # = 25 cores: 36 web pods at 70 %
    assert "| daphne | 25.00 |" in text
    assert "web pods (1 vCPU, 70% target): **36**" in text
    # And the workers 20,000/s x 0.1 ms + 1,000/s x 7 ms = 9 cores: 13 pods
    assert "| celery | 9.00 |" in text
    assert "worker pods: **13**" in text
    # And Redis's engine takes 1,000 pairings/s x 0.25 ms; the rest is 20,000/s x 0.02 ms plus the
    # pairing's Redis time less the engine's, 1,000/s x (0.5 - 0.25) ms: 0.9 cores, two primaries
    assert "| redis (matching engine) | 0.25 |" in text
    assert "| redis (chat, presence, counters) | 0.65 |" in text
    assert "**2** primary shard(s)" in text
    # And all 100,000 connecting at once cost 100,000 x 2 ms of the 36 pods' CPU: 5.6 s
    assert "is 5.6 s of the 36 web pods' whole CPU" in text
    # And the measured lines are quoted as they came
    assert json.dumps(summary) in text


def _generate(cluster: Path, capacity: Path, out: Path) -> str:
    subprocess.run(
        [sys.executable, "scripts/capacity_report.py", "--cluster", str(cluster), "--capacity", str(capacity), "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return out.read_text()


def test_a_new_capacity_run_keeps_the_cluster_figures_of_the_report_in_place(tmp_path):
    # Given a report made from a cluster run and a capacity run
    cluster = tmp_path / "cluster.out"
    summary = {"bench": "cluster", "students": 2000, "lost": 0}
    detail = {
        "bench": "cluster-detail",
        "cpu_ms_per_connect": _per_host(2.0, 0.2, 0.4, 0.2),
        "cpu_ms_per_idle_socket_minute": _per_host(0.6, 0.0, 0.0, 0.0),
        "cpu_ms_per_message": _per_host(1.0, 0.1, 0.5, 0.02),
        "cpu_ms_per_pairing": _per_host(4.0, 7.0, 2.0, 0.5),
    }
    cluster.write_text(json.dumps(detail) + "\n" + json.dumps(summary) + "\n")

    def capacity_run(name: str, cpu_ms: float) -> Path:
        sizes = [
            {"waiting": n, "pairings_per_s": 12000, "redis_cpu_ms_per_pairing": cpu_ms, "redis_ceiling_pairings_per_s": 15000}
            for n in (5000, 50000, 200000)
        ]
        path = tmp_path / name
        path.write_text(
            json.dumps({"bench": "matching-capacity-detail", "sizes": sizes})
            + "\n"
            + json.dumps({"bench": "matching-capacity", "pairings_per_s_5k": 12000})
            + "\n"
        )
        return path

    report = tmp_path / "capacity.md"
    first = _generate(cluster, capacity_run("old.out", 0.25), report)
    # When only the capacity bench runs again, the cluster lines taken from the report itself
    second = _generate(report, capacity_run("new.out", 0.05), tmp_path / "again.md")
    # Then the cluster's figures are the same and the engine's are the new run's
    assert "| daphne | 25.00 |" in first and "| daphne | 25.00 |" in second
    assert "| redis (matching engine) | 0.25 |" in first
    assert "| redis (matching engine) | 0.05 |" in second
    assert json.dumps(summary) in second
    # And a report written before reports kept their inputs gives the same figures from its tables
    (tmp_path / "old.md").write_text(first.split("<!-- inputs", 1)[0])
    third = _generate(tmp_path / "old.md", capacity_run("new.out", 0.05), tmp_path / "third.md")
    assert third.split("<!-- inputs", 1)[0] == second.split("<!-- inputs", 1)[0]
