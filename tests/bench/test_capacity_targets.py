"""The chart's HPA and KEDA defaults are the capacity model's (docs/capacity_targets.json)."""

import json
import subprocess
import sys
from pathlib import Path

import yaml

from deploy import capacity_targets

ROOT = Path(__file__).resolve().parents[2]


def test_values_yaml_carries_the_autoscaling_defaults_the_capacity_model_derives():
    # Given the committed chart values and the targets generated with docs/capacity.md
    # When they are compared
    # Then every derived value is in values.yaml as it was derived
    assert capacity_targets.check() == []


def test_a_hand_typed_default_that_differs_from_the_model_is_named():
    # Given values that carry every derived default, then the web HPA's bound typed by hand and
    # the KEDA target removed
    values = yaml.safe_load(capacity_targets.VALUES.read_text())
    targets = json.loads(capacity_targets.TARGETS.read_text())
    for path, derived in targets["values"].items():
        *parents, leaf = path.split(".")
        node = values
        for key in parents:
            node = node[key]
        node[leaf] = derived
    assert capacity_targets.findings(values, targets) == []
    derived = targets["values"]["web.autoscaling.maxReplicas"]
    values["web"]["autoscaling"]["maxReplicas"] = derived + 1
    del values["worker"]["keda"]["listLength"]
    # When it is checked
    found = capacity_targets.findings(values, targets)
    # Then both are reported, each with its path and the model's number
    assert len(found) == 2
    assert found[0].startswith(f"values.yaml web.autoscaling.maxReplicas is {derived + 1}; ")
    assert f"derives {derived}" in found[0]
    assert found[1].startswith("values.yaml has no worker.keda.listLength; ")


def _per_host(daphne: float, celery: float, postgresql: float, redis: float) -> dict:
    return {"lb": 0.1, "web1": daphne, "worker1": celery, "beat": 0.0, "redis1": redis, "data": postgresql}


def test_the_report_writes_the_targets_beside_the_document(tmp_path):
    # Given a cluster run (7 ms of Celery per pairing) and a capacity run with round numbers
    cluster = tmp_path / "cluster.out"
    detail = {
        "bench": "cluster-detail",
        "cpu_ms_per_connect": _per_host(2.0, 0.2, 0.4, 0.2),
        "cpu_ms_per_idle_socket_minute": _per_host(0.6, 0.0, 0.0, 0.0),
        "cpu_ms_per_message": _per_host(1.0, 0.1, 0.5, 0.02),
        "cpu_ms_per_pairing": _per_host(4.0, 7.0, 2.0, 0.5),
    }
    cluster.write_text(json.dumps(detail) + "\n" + json.dumps({"bench": "cluster", "students": 2000}) + "\n")
    capacity = tmp_path / "capacity.out"
    sizes = [{"waiting": 5000, "pairings_per_s": 900, "redis_cpu_ms_per_pairing": 0.25, "redis_ceiling_pairings_per_s": 4000}]
    capacity.write_text(
        json.dumps({"bench": "matching-capacity-detail", "sizes": sizes})
        + "\n"
        + json.dumps({"bench": "matching-capacity", "pairings_per_s_5k": 900})
        + "\n"
    )
    # When the report is generated into a folder of its own
    subprocess.run(
        [sys.executable, "scripts/capacity_report.py", "--cluster", str(cluster), "--capacity", str(capacity)]
        + ["--out", str(tmp_path / "capacity.md")],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    values = json.loads((tmp_path / "capacity_targets.json").read_text())["values"]
    # Then web: 1 + 20 + 4 = 25 cores at 70 % of 1 vCPU is 36 pods, 100,000 / 36 = 2,778 sockets each
    assert values["web.autoscaling.maxReplicas"] == 36
    assert values["web.autoscaling.connections.targetAveragePerPod"] == "2778"
    assert values["web.autoscaling.targetCPUUtilizationPercentage"] == 70
    # And workers: 20,000 deliveries/s x 0.1 ms + 1,000 pairings/s x 7 ms = 9 cores, 13 pods; one pod
    # runs 0.7 s / 7 ms x 2 = 200 pairing tasks/s
    assert values["worker.keda.maxReplicas"] == 13
    assert values["worker.autoscaling.maxReplicas"] == 13
    assert values["worker.keda.listLength"] == "200"
