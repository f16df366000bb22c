"""The chart's shape for one rendered value set: pod security, one autoscaler, PDB and NetworkPolicy
per component, the migrate hook, the metrics wiring, and the operations checks of `ops`."""

from __future__ import annotations

from typing import Any

import helm_python as helm
import yaml

from . import ops
from .common import (
    AWS_PROFILES,
    CHART,
    COMPONENTS,
    REPO,
    VALUE_SETS,
    ByKind,
    Doc,
    by_kind,
    chart_values,
    documents,
    finding,
    render,
    user_values,
)

CELERY_QUEUES = ops.celery_queues(REPO / "matchminds" / "settings" / "components" / "workers.py")


def pod_spec(doc: Doc) -> dict[str, Any] | None:
    kind = doc["kind"]
    if kind in ("Deployment", "Job"):
        return doc["spec"]["template"]["spec"]
    if kind == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    if kind == "Pod":
        return doc["spec"]
    return None


def check_pod_security(label: str, doc: Doc) -> None:
    spec = pod_spec(doc)
    if spec is None:
        return
    name = f"[{label}] {doc['kind']}/{doc['metadata']['name']}"
    pod_context = spec.get("securityContext", {})
    if not pod_context.get("runAsNonRoot") or pod_context.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        finding(f"{name}: pod securityContext must set runAsNonRoot and RuntimeDefault seccomp")
    for container in spec["containers"]:
        check_container_security(name, doc["kind"], container)


def check_container_security(name: str, kind: str, container: dict[str, Any]) -> None:
    context = container.get("securityContext", {})
    expected = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True, "privileged": False}
    for key, value in expected.items():
        if context.get(key) is not value:
            finding(f"{name}/{container['name']}: securityContext.{key} must be {value}")
    if context.get("capabilities", {}).get("drop") != ["ALL"]:
        finding(f"{name}/{container['name']}: capabilities must drop ALL")
    if kind == "Deployment":
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            if probe not in container:
                finding(f"{name}/{container['name']}: missing {probe}")
    if "limits" not in container.get("resources", {}):
        finding(f"{name}/{container['name']}: missing resource limits")


def check_shape(label: str, docs: list[tuple[str, Doc]]) -> None:
    objects = [doc for _, doc in docs]
    for doc in objects:
        if not doc["metadata"].get("namespace"):
            finding(f"[{label}] {doc['kind']}/{doc['metadata']['name']}: no namespace")
        check_pod_security(label, doc)
    kinds = by_kind(objects)
    deployments = {d["metadata"]["labels"].get("app.kubernetes.io/component"): d for d in kinds.get("Deployment", [])}
    for component in COMPONENTS:
        deployment = deployments.get(component)
        if deployment is None:
            finding(f"[{label}] no {component} Deployment")
            continue
        check_component(label, component, deployment, kinds)
    check_release_objects(label, kinds)
    check_metrics_wiring(label, deployments, kinds)
    check_operations(label, objects, kinds)


def check_component(label: str, component: str, deployment: Doc, kinds: ByKind) -> None:
    name = deployment["metadata"]["name"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    if selector.get("app.kubernetes.io/component") != component:
        finding(f"[{label}] {name}: selector lacks app.kubernetes.io/component={component}")
    check_autoscaling(label, component, deployment, kinds)
    pdbs = [p for p in kinds.get("PodDisruptionBudget", []) if p["spec"]["selector"]["matchLabels"] == selector]
    if len(pdbs) != 1:
        finding(f"[{label}] {name}: expected exactly one PodDisruptionBudget, got {len(pdbs)}")
    policies = [p for p in kinds.get("NetworkPolicy", []) if p["spec"]["podSelector"]["matchLabels"] == selector]
    if len(policies) != 1:
        finding(f"[{label}] {name}: expected exactly one NetworkPolicy")


def check_autoscaling(label: str, component: str, deployment: Doc, kinds: ByKind) -> None:
    """One HPA or ScaledObject owns the replicas; beat is pinned at one and recreated, never doubled."""
    name = deployment["metadata"]["name"]
    hpas = [h for h in kinds.get("HorizontalPodAutoscaler", []) if h["spec"]["scaleTargetRef"]["name"] == name]
    scaled = [s for s in kinds.get("ScaledObject", []) if s["spec"]["scaleTargetRef"]["name"] == name]
    if len(hpas) + len(scaled) != 1:
        finding(
            f"[{label}] {name}: expected exactly one HPA or ScaledObject, got "
            f"{len(hpas)} HPA(s) and {len(scaled)} ScaledObject(s)"
        )
    if (hpas or scaled) and "replicas" in deployment["spec"]:
        finding(f"[{label}] {name}: sets replicas although an autoscaler owns them")
    if label == "default" and not hpas:
        finding(f"[{label}] {name}: the default values must give {component} its own HPA")
    if component == "beat":
        if deployment["spec"]["strategy"]["type"] != "Recreate":
            finding(f"[{label}] {name}: beat must use the Recreate strategy")
        for hpa in hpas:
            if hpa["spec"]["minReplicas"] != 1 or hpa["spec"]["maxReplicas"] != 1:
                finding(f"[{label}] {name}: beat HPA must be pinned at 1")


def check_release_objects(label: str, kinds: ByKind) -> None:
    """The migrate hook, the release's shared objects, and IRSA on AWS."""
    jobs = kinds.get("Job", [])
    if not any(
        "pre-upgrade" in j["metadata"].get("annotations", {}).get("helm.sh/hook", "")
        and "pre-install" in j["metadata"]["annotations"]["helm.sh/hook"]
        for j in jobs
    ):
        finding(f"[{label}] no migrate Job hooked to pre-install,pre-upgrade")
    for kind in ("Ingress", "ConfigMap", "ServiceMonitor", "PrometheusRule", "Service"):
        if kind not in kinds:
            finding(f"[{label}] no {kind}")
    service_accounts = [
        s for s in kinds.get("ServiceAccount", []) if "eks.amazonaws.com/role-arn" in s["metadata"].get("annotations", {})
    ]
    if label in AWS_PROFILES and not service_accounts:
        finding(f"[{label}] no ServiceAccount with the IRSA role annotation")


def check_metrics_wiring(label: str, deployments: dict[str, Any], kinds: ByKind) -> None:
    """Multiprocess dir on a volume for web and worker; the ServiceMonitor sends the app's token."""
    for component in ("web", "worker"):
        deployment = deployments.get(component)
        if deployment is None:
            continue
        spec = deployment["spec"]["template"]["spec"]
        container = spec["containers"][0]
        env = {item["name"]: item.get("value") for item in container.get("env", [])}
        directory = env.get("PROMETHEUS_MULTIPROC_DIR")
        mounts = {mount["mountPath"]: mount["name"] for mount in container.get("volumeMounts", [])}
        volumes = {volume["name"]: volume for volume in spec.get("volumes", [])}
        if not directory or "emptyDir" not in volumes.get(mounts.get(directory, ""), {}):
            finding(f"[{label}] {component}: PROMETHEUS_MULTIPROC_DIR must be set and mounted from an emptyDir")
    for monitor in kinds.get("ServiceMonitor", []):
        for endpoint in monitor["spec"]["endpoints"]:
            credentials = endpoint.get("authorization", {}).get("credentials", {})
            if credentials.get("key") != "METRICS_BEARER_TOKEN":
                finding(f"[{label}] ServiceMonitor {monitor['metadata']['name']}: scrapes /metrics without the bearer token")
    config = next((c for c in kinds.get("ConfigMap", []) if "DJANGO_SETTINGS_MODULE" in c.get("data", {})), {})
    wired = ("ALERTS_SNS_TOPIC_ARN", "ALERTS_EMAIL_TO", "ALERTS_DASHBOARD_BASE_URL", "TRUSTED_PROXY_HOPS", "LOCAL_LOGIN_ENABLED")
    for name in wired:
        if name not in config.get("data", {}):
            finding(f"[{label}] app ConfigMap lacks {name}")
    if config.get("data", {}).get("TRUSTED_PROXY_HOPS") != "1":
        finding(f"[{label}] TRUSTED_PROXY_HOPS must be 1 behind the ALB")


def check_operations(label: str, objects: list[Doc], kinds: ByKind) -> None:
    values = chart_values(label)
    for message in [
        *ops.ingress_findings(label, objects, values["ingress"]["provider"]),
        *ops.keda_queue_findings(label, kinds, CELERY_QUEUES),
        *ops.worker_metrics_findings(label, kinds),
        *ops.hooks_findings(label, kinds, values["secrets"]["existingSecret"], values["externalSecret"]["enabled"]),
    ]:
        finding(message)


def check_keda_queues(chart: helm.Chart) -> None:
    """values.yaml lists Celery's queues, and the drift check catches a list that differs."""
    print(f"KEDA watches the queues Celery routes to: {CELERY_QUEUES}")
    listed = sorted(yaml.safe_load((CHART / "values.yaml").read_text())["worker"]["keda"]["queues"])
    if listed != CELERY_QUEUES:
        finding(f"values.yaml worker.keda.queues is {listed}; Celery routes tasks to {CELERY_QUEUES}")
    drifted = {"worker": {"keda": {"queues": [*CELERY_QUEUES, "matching"]}}}
    docs = [doc for _, doc in documents(render(chart, user_values(VALUE_SETS["prod"], drifted)))]
    if not ops.keda_queue_findings("prod+drift", by_kind(docs), CELERY_QUEUES):
        finding("the KEDA queue check did not notice a queue Celery does not use")
    else:
        print("  ok   a drifted queue list is caught")
