"""values.yaml's autoscaling defaults against docs/capacity_targets.json (scripts/capacity_report.py).

The capacity model sizes the web and worker pods for the nationwide event; the chart's HPA and
KEDA defaults must be the numbers it derived, not numbers typed beside it. Plain Python and
PyYAML only: `make check-deploy` (deploy/check_deploy.py) and the app's tests both call it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
VALUES = REPO / "deploy" / "helm" / "matchminds" / "values.yaml"
TARGETS = REPO / "docs" / "capacity_targets.json"
MISSING = object()


def lookup(values: dict[str, Any], dotted: str) -> Any:
    node: Any = values
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            return MISSING
        node = node[key]
    return node


def findings(values: dict[str, Any], targets: dict[str, Any]) -> list[str]:
    """One message per value of values.yaml that is not what the capacity model derived."""
    messages = []
    for path, expected in targets["values"].items():
        found = lookup(values, path)
        if found is MISSING:
            messages.append(f"values.yaml has no {path}; docs/capacity_targets.json derives {expected!r}")
        elif found != expected:
            messages.append(
                f"values.yaml {path} is {found!r}; the capacity model (docs/capacity.md) derives {expected!r}: "
                "take its number, or rerun scripts/capacity_report.py if the model changed"
            )
    return messages


def check(values_path: Path = VALUES, targets_path: Path = TARGETS) -> list[str]:
    return findings(yaml.safe_load(values_path.read_text()), json.loads(targets_path.read_text()))
