"""Checks of the chart's operations wiring, called by the shape checks (same virtualenv).

Each function returns its findings as messages: the KEDA queues against Celery's routing,
the ingress profile (ALB or ingress-nginx + cert-manager), the worker's metrics, the helm
test hook and the ExternalSecret, and the Helm version of the deploy workflows against the
Helm SDK the checks render with.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import yaml

Docs = list[dict[str, Any]]
CELERY_METRICS = (
    "matchminds_celery_tasks_total",
    "matchminds_celery_task_runtime_seconds_bucket",
    "matchminds_celery_task_queue_wait_seconds_bucket",
    "matchminds_celery_queue_length",
)
AWS_ANNOTATION_PREFIXES = ("alb.ingress.kubernetes.io/", "eks.amazonaws.com/")


def celery_queues(settings_file: Path) -> list[str]:
    """CELERY_TASK_DEFAULT_QUEUE plus every queue of CELERY_TASK_ROUTES, read without Django.

    Both must be literals in settings (workers.py says so); anything else is an error here.
    """
    assignments: dict[str, Any] = {}
    for node in ast.parse(settings_file.read_text()).body:
        target = node.target if isinstance(node, ast.AnnAssign) else (node.targets[0] if isinstance(node, ast.Assign) else None)
        if isinstance(target, ast.Name) and target.id in ("CELERY_TASK_DEFAULT_QUEUE", "CELERY_TASK_ROUTES"):
            assignments[target.id] = ast.literal_eval(node.value)
    if set(assignments) != {"CELERY_TASK_DEFAULT_QUEUE", "CELERY_TASK_ROUTES"}:
        raise ValueError(f"{settings_file}: CELERY_TASK_DEFAULT_QUEUE and CELERY_TASK_ROUTES must be literal assignments")
    routed = {route["queue"] for route in assignments["CELERY_TASK_ROUTES"].values() if "queue" in route}
    return sorted({assignments["CELERY_TASK_DEFAULT_QUEUE"], *routed})


def keda_queue_findings(label: str, by_kind: dict[str, Docs], expected: list[str]) -> list[str]:
    found = []
    for scaled in by_kind.get("ScaledObject", []):
        watched = sorted(t["metadata"]["listName"] for t in scaled["spec"]["triggers"] if t["type"] == "redis")
        if watched != expected:
            found.append(
                f"[{label}] ScaledObject {scaled['metadata']['name']} watches Redis lists {watched}, but Celery routes "
                f"tasks to {expected} (matchminds/settings/components/workers.py): set worker.keda.queues to match"
            )
    return found


def ingress_findings(label: str, objects: Docs, provider: str) -> list[str]:
    """ALB: the idle timeout is raised for WebSockets. nginx: proxy timeouts, cert-manager, no AWS anywhere."""
    found = []
    ingress = next((doc for doc in objects if doc["kind"] == "Ingress"), {})
    annotations = ingress.get("metadata", {}).get("annotations", {})
    if provider == "alb":
        if "idle_timeout.timeout_seconds=" not in annotations.get("alb.ingress.kubernetes.io/load-balancer-attributes", ""):
            found.append(f"[{label}] Ingress does not raise the ALB idle timeout for WebSockets")
        return found
    for key in ("nginx.ingress.kubernetes.io/proxy-read-timeout", "nginx.ingress.kubernetes.io/proxy-send-timeout"):
        if int(annotations.get(key, "0")) < 3600:
            found.append(f"[{label}] Ingress {key} must keep quiet WebSockets open for an hour")
    if not annotations.get("cert-manager.io/cluster-issuer"):
        found.append(f"[{label}] Ingress has no cert-manager.io/cluster-issuer")
    if not all(tls.get("secretName") for tls in ingress.get("spec", {}).get("tls", [])):
        found.append(f"[{label}] Ingress TLS entries need a secretName for cert-manager")
    for doc in objects:
        aws = [k for k in doc["metadata"].get("annotations", {}) if k.startswith(AWS_ANNOTATION_PREFIXES)]
        if aws:
            found.append(f"[{label}] {doc['kind']}/{doc['metadata']['name']} carries AWS annotations {aws}")
    return found


def worker_metrics_findings(label: str, by_kind: dict[str, Docs]) -> list[str]:
    found = []
    worker = next(
        (d for d in by_kind.get("Deployment", []) if d["metadata"]["labels"].get("app.kubernetes.io/component") == "worker"), None
    )
    if worker is None:
        return [f"[{label}] no worker Deployment"]
    container = worker["spec"]["template"]["spec"]["containers"][0]
    env = {item["name"]: item.get("value") for item in container.get("env", [])}
    ports = {port["name"]: port["containerPort"] for port in container.get("ports", [])}
    if "metrics" not in ports or env.get("CELERY_METRICS_PORT") != str(ports["metrics"]):
        found.append(f"[{label}] worker: CELERY_METRICS_PORT must be set and exposed as the container port `metrics`")
    monitors = by_kind.get("ServiceMonitor", [])
    monitored = {m["spec"]["selector"]["matchLabels"].get("app.kubernetes.io/component") for m in monitors}
    if monitored != {"web", "worker"}:
        found.append(f"[{label}] ServiceMonitors must scrape web and worker, found {sorted(filter(None, monitored))}")
    services = {s["spec"]["selector"].get("app.kubernetes.io/component") for s in by_kind.get("Service", [])}
    if "worker" not in services:
        found.append(f"[{label}] no Service in front of the worker's metrics endpoint")
    groups = [group for rule_set in by_kind.get("PrometheusRule", []) for group in rule_set["spec"]["groups"]]
    rules = {rule.get("alert") for group in groups for rule in group["rules"]}
    for alert in ("MatchMindsCeleryQueueStuck", "MatchMindsCeleryTasksFailing", "MatchMindsCeleryBacklog"):
        if alert not in rules:
            found.append(f"[{label}] PrometheusRule lacks {alert}")
    dashboards = "".join(c.get("data", {}).get("matchminds.json", "") for c in by_kind.get("ConfigMap", []))
    for metric in CELERY_METRICS:
        if metric not in dashboards:
            found.append(f"[{label}] the Grafana dashboard has no panel on {metric}")
    return found


def hooks_findings(label: str, by_kind: dict[str, Docs], secret_name: str, external_secret: bool) -> list[str]:
    found = []
    tests = [p for p in by_kind.get("Pod", []) if p["metadata"].get("annotations", {}).get("helm.sh/hook") == "test"]
    if len(tests) != 1:
        found.append(f"[{label}] expected one `helm test` Pod, got {len(tests)}")
    externals = by_kind.get("ExternalSecret", [])
    if external_secret and [e["spec"]["target"]["name"] for e in externals] != [secret_name]:
        found.append(f"[{label}] the ExternalSecret must write the Secret the pods read ({secret_name})")
    if not external_secret and externals:
        found.append(f"[{label}] an ExternalSecret rendered although externalSecret.enabled is false")
    return found


def helm_version_findings(workflows: Path, sdk_version: str) -> list[str]:
    """Every Helm a workflow installs is the version the checks render with (one major, one release)."""
    found, seen = [], 0
    for path in sorted(workflows.glob("*.yml")):
        workflow = yaml.safe_load(path.read_text())
        for job in (workflow.get("jobs") or {}).values():
            for step in job.get("steps", []):
                if str(step.get("uses", "")).startswith("azure/setup-helm@"):
                    seen += 1
                    version = str(step.get("with", {}).get("version", ""))
                    if version != sdk_version:
                        found.append(f"{path.name}: installs Helm {version or '(latest)'}, the checks render with {sdk_version}")
    major = re.match(r"v(\d+)\.", sdk_version)
    if seen == 0 or major is None:
        found.append(f"no workflow pins Helm (setup-helm) to the checks' {sdk_version}")
    return found


def karpenter_findings(path: Path, env: str, docs: Docs) -> list[str]:
    """Spot first with on-demand fallback, consolidation, and the names Terraform gives the node role and tags."""
    found = []
    pools = [d for d in docs if d.get("kind") == "NodePool"]
    classes = {d["metadata"]["name"]: d for d in docs if d.get("kind") == "EC2NodeClass"}
    if not pools:
        found.append(f"{path.name}: no NodePool")
    for pool in pools:
        spec = pool["spec"]
        requirements = {r["key"]: r for r in spec["template"]["spec"]["requirements"]}
        capacity = requirements.get("karpenter.sh/capacity-type", {})
        if capacity.get("operator") != "In" or capacity.get("values") != ["spot", "on-demand"]:
            found.append(f"{path.name}: NodePool {pool['metadata']['name']} must allow spot, then on-demand")
        if spec.get("disruption", {}).get("consolidationPolicy") != "WhenEmptyOrUnderutilized":
            found.append(f"{path.name}: NodePool {pool['metadata']['name']} does not consolidate under-used nodes")
        node_class = classes.get(spec["template"]["spec"]["nodeClassRef"]["name"])
        if node_class is None:
            found.append(f"{path.name}: NodePool {pool['metadata']['name']} refers to a missing EC2NodeClass")
            continue
        cluster = f"matchminds-{env}"
        if node_class["spec"]["role"] != f"{cluster}-karpenter-node":
            found.append(f"{path.name}: EC2NodeClass role must be Terraform's {cluster}-karpenter-node")
        for selector in ("subnetSelectorTerms", "securityGroupSelectorTerms"):
            tags = [term.get("tags", {}) for term in node_class["spec"][selector]]
            if tags != [{"karpenter.sh/discovery": cluster}]:
                found.append(f"{path.name}: EC2NodeClass {selector} must select karpenter.sh/discovery={cluster}")
    return found
