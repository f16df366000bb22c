"""What every check shares: where things are, the value sets rendered, and the findings."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import helm_python as helm
import kubernetes_validate
import yaml

REPO = Path(__file__).resolve().parents[2]
CHART = REPO / "deploy" / "helm" / "matchminds"
TERRAFORM = REPO / "deploy" / "terraform"
RELEASE = "matchminds"
NAMESPACE = "matchminds"
# The EKS version pinned in deploy/terraform (var.kubernetes_version), and the newest
# version kubernetes-validate knows, to catch APIs that are about to be removed.
KUBERNETES_VERSIONS = ("1.34.0", kubernetes_validate.utils.latest_version())
VALUE_SETS = {
    "default": [],
    "dev": [CHART / "values-dev.yaml"],
    "prod": [CHART / "values-prod.yaml"],
    "generic": [CHART / "values-generic.yaml"],
}
# Profiles on AWS (ALB ingress, IRSA); the others must carry no AWS annotation at all.
AWS_PROFILES = ("dev", "prod")
COMPONENTS = ("web", "worker", "beat")

Doc = dict[str, Any]
ByKind = dict[str, list[Doc]]

findings: list[str] = []


def finding(message: str) -> None:
    findings.append(message)
    print(f"  FAIL {message}")


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def user_values(files: list[Path], overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for path in files:
        values = deep_merge(values, yaml.safe_load(path.read_text()) or {})
    return deep_merge(values, overrides or {})


def chart_values(label: str) -> dict[str, Any]:
    """The chart's values.yaml under the value set's files, as Helm sees them."""
    return deep_merge(yaml.safe_load((CHART / "values.yaml").read_text()), user_values(VALUE_SETS[label]))


def render(chart: helm.Chart, values: dict[str, Any]) -> dict[str, str]:
    return chart.render(values=values, name=RELEASE, namespace=NAMESPACE, is_install=True)


def documents(manifests: dict[str, str]) -> list[tuple[str, Doc]]:
    docs = []
    for template, text in sorted(manifests.items()):
        if template.endswith("NOTES.txt"):
            continue
        for doc in yaml.safe_load_all(text):
            if doc:
                docs.append((template, doc))
    return docs


def by_kind(objects: list[Doc]) -> ByKind:
    grouped: ByKind = {}
    for doc in objects:
        grouped.setdefault(doc["kind"], []).append(doc)
    return grouped
