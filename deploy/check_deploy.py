"""Static proof of the deploy files, run by deploy/check_deploy.sh inside .venv-deploy.

There is no cluster, cloud account, helm or terraform binary here, so this renders the
chart with the Helm v4 Go SDK (helm-python-sdk), lints it strictly, validates every
rendered object against the Kubernetes schemas, asserts the chart's shape and its
bad-input failures, and parses every Terraform file. Rendered manifests are written to
--out for yamllint and checkov. Exits non-zero on the first class of findings.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path
from typing import Any

import capacity_targets
import check_ops
import hcl2
import helm_python as helm
import jsonschema
import kubernetes_validate
import yaml

REPO = Path(__file__).resolve().parent.parent
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


def render(chart: helm.Chart, values: dict[str, Any]) -> dict[str, str]:
    return chart.render(values=values, name=RELEASE, namespace=NAMESPACE, is_install=True)


def documents(manifests: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    docs = []
    for template, text in sorted(manifests.items()):
        if template.endswith("NOTES.txt"):
            continue
        for doc in yaml.safe_load_all(text):
            if doc:
                docs.append((template, doc))
    return docs


# --------------------------------------------------------------------------- lint


def lint_chart() -> None:
    print(f"helm lint --strict ({', '.join(VALUE_SETS)})")
    for label, files in VALUE_SETS.items():
        report = helm.lint(
            CHART,
            user_values(files),
            strict=True,
            namespace=NAMESPACE,
            kube_version=f"v{KUBERNETES_VERSIONS[0]}",
        )
        for message in report.get("messages", []):
            print(f"  [{label}] severity={message['severity']} {message['path']}: {message['error']}")
            if message["severity"] >= 1:
                finding(f"lint[{label}] {message['path']}: {message['error']}")
        for error in report.get("errors") or []:
            finding(f"lint[{label}] {error}")
        print(f"  [{label}] linted {report.get('total_charts_linted')} chart(s)")


def check_values_documented() -> None:
    """Every leaf in values.yaml has a `# --` comment above it or sits in a block that has one."""
    print("values.yaml: every value documented")
    documented_stack: list[tuple[int, bool]] = []
    previous = ""
    for number, line in enumerate((CHART / "values.yaml").read_text().splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.startswith("- "):
            previous = stripped if stripped else previous
            continue
        match = re.match(r"^(\s*)([A-Za-z0-9_.-]+):", line)
        if not match:
            previous = stripped
            continue
        indent = len(match.group(1))
        while documented_stack and documented_stack[-1][0] >= indent:
            documented_stack.pop()
        has_comment = previous.startswith("# --")
        inherited = any(doc for _, doc in documented_stack)
        is_leaf = not re.match(r"^\s*[A-Za-z0-9_.-]+:\s*$", line)
        if is_leaf and not (has_comment or inherited):
            finding(f"values.yaml:{number} `{stripped}` has no documentation comment")
        documented_stack.append((indent, has_comment))
        previous = stripped


# ------------------------------------------------------------------- validation

CRD_SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or [], "additionalProperties": False}


_METADATA = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string"},
        "namespace": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
        "finalizers": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": False,
}
_STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
_SCALE_TARGET = _object({"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "name": {"type": "string"}}, ["name"])

# Only the fields this repository uses, strictly; written from the CRDs' API references.
CRD_SCHEMAS[("keda.sh/v1alpha1", "ScaledObject")] = _object(
    {
        "spec": _object(
            {
                "scaleTargetRef": _SCALE_TARGET,
                "minReplicaCount": {"type": "integer", "minimum": 0},
                "maxReplicaCount": {"type": "integer", "minimum": 1},
                "pollingInterval": {"type": "integer", "minimum": 1},
                "cooldownPeriod": {"type": "integer", "minimum": 0},
                "triggers": {
                    "type": "array",
                    "minItems": 1,
                    "items": _object(
                        {
                            "type": {"type": "string", "enum": ["redis", "cpu", "memory"]},
                            "metricType": {"type": "string", "enum": ["Utilization", "AverageValue", "Value"]},
                            "metadata": _STRING_MAP,
                            "authenticationRef": _object({"name": {"type": "string"}, "kind": {"type": "string"}}, ["name"]),
                        },
                        ["type", "metadata"],
                    ),
                },
            },
            ["scaleTargetRef", "triggers"],
        ),
    }
)
CRD_SCHEMAS[("keda.sh/v1alpha1", "TriggerAuthentication")] = _object(
    {
        "spec": _object(
            {
                "secretTargetRef": {
                    "type": "array",
                    "items": _object(
                        {
                            "parameter": {"type": "string"},
                            "name": {"type": "string"},
                            "key": {"type": "string"},
                        },
                        ["parameter", "name", "key"],
                    ),
                }
            }
        ),
    }
)
CRD_SCHEMAS[("monitoring.coreos.com/v1", "ServiceMonitor")] = _object(
    {
        "spec": _object(
            {
                "selector": _object({"matchLabels": _STRING_MAP}),
                "namespaceSelector": _object({"matchNames": {"type": "array", "items": {"type": "string"}}}),
                "endpoints": {
                    "type": "array",
                    "minItems": 1,
                    "items": _object(
                        {
                            "port": {"type": "string"},
                            "path": {"type": "string"},
                            "interval": {"type": "string", "pattern": "^[0-9]+(ms|s|m|h)$"},
                            "scrapeTimeout": {"type": "string", "pattern": "^[0-9]+(ms|s|m|h)$"},
                            "authorization": _object(
                                {
                                    "type": {"type": "string", "enum": ["Bearer"]},
                                    "credentials": _object(
                                        {"name": {"type": "string"}, "key": {"type": "string"}}, ["name", "key"]
                                    ),
                                },
                                ["credentials"],
                            ),
                        },
                        ["port"],
                    ),
                },
            },
            ["selector", "endpoints"],
        ),
    }
)
CRD_SCHEMAS[("monitoring.coreos.com/v1", "PrometheusRule")] = _object(
    {
        "spec": _object(
            {
                "groups": {
                    "type": "array",
                    "items": _object(
                        {
                            "name": {"type": "string"},
                            "rules": {
                                "type": "array",
                                "minItems": 1,
                                "items": _object(
                                    {
                                        "alert": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9]*$"},
                                        "expr": {"type": "string", "minLength": 1},
                                        "for": {"type": "string", "pattern": "^[0-9]+(s|m|h)$"},
                                        "labels": _object({"severity": {"enum": ["critical", "warning", "info"]}}, ["severity"]),
                                        "annotations": _object(
                                            {"summary": {"type": "string"}, "runbook_url": {"type": "string", "format": "uri"}},
                                            ["summary", "runbook_url"],
                                        ),
                                    },
                                    ["alert", "expr", "labels", "annotations"],
                                ),
                            },
                        },
                        ["name", "rules"],
                    ),
                }
            },
            ["groups"],
        ),
    }
)
CRD_SCHEMAS[("argoproj.io/v1alpha1", "Application")] = _object(
    {
        "spec": _object(
            {
                "project": {"type": "string"},
                "source": _object(
                    {
                        "repoURL": {"type": "string"},
                        "targetRevision": {"type": "string"},
                        "path": {"type": "string"},
                        "helm": _object(
                            {
                                "releaseName": {"type": "string"},
                                "valueFiles": {"type": "array", "items": {"type": "string"}},
                                "parameters": {
                                    "type": "array",
                                    "items": _object(
                                        {"name": {"type": "string"}, "value": {"type": "string"}}, ["name", "value"]
                                    ),
                                },
                            }
                        ),
                    },
                    ["repoURL", "path", "targetRevision"],
                ),
                "destination": _object({"server": {"type": "string"}, "namespace": {"type": "string"}}, ["server", "namespace"]),
                "syncPolicy": _object(
                    {
                        "automated": _object({"prune": {"type": "boolean"}, "selfHeal": {"type": "boolean"}}),
                        "syncOptions": {"type": "array", "items": {"type": "string"}},
                        "retry": _object(
                            {
                                "limit": {"type": "integer"},
                                "backoff": _object(
                                    {
                                        "duration": {"type": "string"},
                                        "factor": {"type": "integer"},
                                        "maxDuration": {"type": "string"},
                                    }
                                ),
                            }
                        ),
                    }
                ),
                "ignoreDifferences": {"type": "array", "items": {"type": "object"}},
            },
            ["project", "source", "destination"],
        ),
    }
)
CRD_SCHEMAS[("external-secrets.io/v1", "ExternalSecret")] = _object(
    {
        "spec": _object(
            {
                "refreshInterval": {"type": "string", "pattern": "^[0-9]+(s|m|h)$"},
                "secretStoreRef": _object(
                    {"name": {"type": "string"}, "kind": {"enum": ["SecretStore", "ClusterSecretStore"]}}, ["name"]
                ),
                "target": _object(
                    {
                        "name": {"type": "string"},
                        "creationPolicy": {"enum": ["Owner", "Orphan", "Merge", "None"]},
                        "deletionPolicy": {"enum": ["Delete", "Merge", "Retain"]},
                        "template": _object(
                            {
                                "engineVersion": {"const": "v2"},
                                "mergePolicy": {"enum": ["Replace", "Merge"]},
                                "data": _STRING_MAP,
                            },
                            ["data"],
                        ),
                    },
                    ["name"],
                ),
                "dataFrom": {
                    "type": "array",
                    "minItems": 1,
                    "items": _object({"extract": _object({"key": {"type": "string", "minLength": 1}}, ["key"])}, ["extract"]),
                },
            },
            ["secretStoreRef", "target", "dataFrom"],
        ),
    }
)
_REQUIREMENT = _object(
    {
        "key": {"type": "string"},
        "operator": {"enum": ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]},
        "values": {"type": "array", "items": {"type": "string"}},
    },
    ["key", "operator"],
)
CRD_SCHEMAS[("karpenter.sh/v1", "NodePool")] = _object(
    {
        "spec": _object(
            {
                "template": _object(
                    {
                        "metadata": _object({"labels": _STRING_MAP}),
                        "spec": _object(
                            {
                                "nodeClassRef": _object(
                                    {"group": {"type": "string"}, "kind": {"type": "string"}, "name": {"type": "string"}},
                                    ["group", "kind", "name"],
                                ),
                                "requirements": {"type": "array", "minItems": 1, "items": _REQUIREMENT},
                                "taints": {
                                    "type": "array",
                                    "items": _object(
                                        {
                                            "key": {"type": "string"},
                                            "value": {"type": "string"},
                                            "effect": {"enum": ["NoSchedule", "PreferNoSchedule", "NoExecute"]},
                                        },
                                        ["key", "effect"],
                                    ),
                                },
                                "expireAfter": {"type": "string", "pattern": "^([0-9]+(s|m|h))+|Never$"},
                            },
                            ["nodeClassRef", "requirements"],
                        ),
                    },
                    ["spec"],
                ),
                "disruption": _object(
                    {
                        "consolidationPolicy": {"enum": ["WhenEmpty", "WhenEmptyOrUnderutilized"]},
                        "consolidateAfter": {"type": "string", "pattern": "^([0-9]+(s|m|h))+|Never$"},
                        "budgets": {"type": "array", "items": _object({"nodes": {"type": "string", "pattern": "^[0-9]+%?$"}})},
                    },
                    ["consolidationPolicy"],
                ),
                "limits": _STRING_MAP,
            },
            ["template"],
        ),
    }
)
_SELECTOR_TERMS = {"type": "array", "minItems": 1, "items": _object({"tags": _STRING_MAP, "id": {"type": "string"}})}
CRD_SCHEMAS[("karpenter.k8s.aws/v1", "EC2NodeClass")] = _object(
    {
        "spec": _object(
            {
                "role": {"type": "string", "minLength": 1},
                "amiSelectorTerms": {
                    "type": "array",
                    "minItems": 1,
                    "items": _object({"alias": {"type": "string"}, "id": {"type": "string"}}),
                },
                "subnetSelectorTerms": _SELECTOR_TERMS,
                "securityGroupSelectorTerms": _SELECTOR_TERMS,
                "metadataOptions": _object(
                    {
                        "httpEndpoint": {"enum": ["enabled", "disabled"]},
                        "httpTokens": {"enum": ["required"]},
                        "httpPutResponseHopLimit": {"type": "integer", "minimum": 1, "maximum": 64},
                    }
                ),
                "blockDeviceMappings": {
                    "type": "array",
                    "items": _object(
                        {
                            "deviceName": {"type": "string"},
                            "ebs": _object(
                                {
                                    "volumeSize": {"type": "string"},
                                    "volumeType": {"type": "string"},
                                    "encrypted": {"const": True},
                                    "deleteOnTermination": {"type": "boolean"},
                                },
                                ["encrypted"],
                            ),
                        },
                        ["deviceName", "ebs"],
                    ),
                },
                "tags": _STRING_MAP,
            },
            ["role", "amiSelectorTerms", "subnetSelectorTerms", "securityGroupSelectorTerms", "metadataOptions"],
        ),
    }
)
for schema in CRD_SCHEMAS.values():
    schema["properties"].update({"apiVersion": {"type": "string"}, "kind": {"type": "string"}, "metadata": _METADATA})
    schema["required"] = ["apiVersion", "kind", "metadata", "spec"]


def validate_object(where: str, doc: dict[str, Any]) -> None:
    key = (doc.get("apiVersion"), doc.get("kind"))
    if key in CRD_SCHEMAS:
        errors = sorted(
            jsonschema.Draft202012Validator(CRD_SCHEMAS[key], format_checker=jsonschema.FormatChecker()).iter_errors(doc), key=str
        )
        for error in errors:
            finding(f"{where}: {'.'.join(map(str, error.absolute_path))}: {error.message}")
        return
    for version in KUBERNETES_VERSIONS:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            finding(f"{where} (k8s {version}): {'.'.join(map(str, error.path))}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            finding(f"{where}: {error.message}")


# ----------------------------------------------------------------- chart shape


def pod_spec(doc: dict[str, Any]) -> dict[str, Any] | None:
    kind = doc["kind"]
    if kind in ("Deployment", "Job"):
        return doc["spec"]["template"]["spec"]
    if kind == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    if kind == "Pod":
        return doc["spec"]
    return None


def check_pod_security(label: str, doc: dict[str, Any]) -> None:
    spec = pod_spec(doc)
    if spec is None:
        return
    name = f"[{label}] {doc['kind']}/{doc['metadata']['name']}"
    pod_context = spec.get("securityContext", {})
    if not pod_context.get("runAsNonRoot") or pod_context.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        finding(f"{name}: pod securityContext must set runAsNonRoot and RuntimeDefault seccomp")
    for container in spec["containers"]:
        context = container.get("securityContext", {})
        expected = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "runAsNonRoot": True, "privileged": False}
        for key, value in expected.items():
            if context.get(key) is not value:
                finding(f"{name}/{container['name']}: securityContext.{key} must be {value}")
        if context.get("capabilities", {}).get("drop") != ["ALL"]:
            finding(f"{name}/{container['name']}: capabilities must drop ALL")
        if doc["kind"] == "Deployment":
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                if probe not in container:
                    finding(f"{name}/{container['name']}: missing {probe}")
        if "limits" not in container.get("resources", {}):
            finding(f"{name}/{container['name']}: missing resource limits")


def check_shape(label: str, docs: list[tuple[str, dict[str, Any]]]) -> None:
    objects = [doc for _, doc in docs]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for doc in objects:
        by_kind.setdefault(doc["kind"], []).append(doc)
        if not doc["metadata"].get("namespace"):
            finding(f"[{label}] {doc['kind']}/{doc['metadata']['name']}: no namespace")
        check_pod_security(label, doc)

    deployments = {d["metadata"]["labels"].get("app.kubernetes.io/component"): d for d in by_kind.get("Deployment", [])}
    for component in COMPONENTS:
        deployment = deployments.get(component)
        if deployment is None:
            finding(f"[{label}] no {component} Deployment")
            continue
        name = deployment["metadata"]["name"]
        selector = deployment["spec"]["selector"]["matchLabels"]
        if selector.get("app.kubernetes.io/component") != component:
            finding(f"[{label}] {name}: selector lacks app.kubernetes.io/component={component}")
        hpas = [h for h in by_kind.get("HorizontalPodAutoscaler", []) if h["spec"]["scaleTargetRef"]["name"] == name]
        scaled = [s for s in by_kind.get("ScaledObject", []) if s["spec"]["scaleTargetRef"]["name"] == name]
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
        pdbs = [p for p in by_kind.get("PodDisruptionBudget", []) if p["spec"]["selector"]["matchLabels"] == selector]
        if len(pdbs) != 1:
            finding(f"[{label}] {name}: expected exactly one PodDisruptionBudget, got {len(pdbs)}")
        policies = [p for p in by_kind.get("NetworkPolicy", []) if p["spec"]["podSelector"]["matchLabels"] == selector]
        if len(policies) != 1:
            finding(f"[{label}] {name}: expected exactly one NetworkPolicy")

    jobs = by_kind.get("Job", [])
    if not any(
        "pre-upgrade" in j["metadata"].get("annotations", {}).get("helm.sh/hook", "")
        and "pre-install" in j["metadata"]["annotations"]["helm.sh/hook"]
        for j in jobs
    ):
        finding(f"[{label}] no migrate Job hooked to pre-install,pre-upgrade")
    for kind in ("Ingress", "ConfigMap", "ServiceMonitor", "PrometheusRule", "Service"):
        if kind not in by_kind:
            finding(f"[{label}] no {kind}")
    service_accounts = [
        s for s in by_kind.get("ServiceAccount", []) if "eks.amazonaws.com/role-arn" in s["metadata"].get("annotations", {})
    ]
    if label in AWS_PROFILES and not service_accounts:
        finding(f"[{label}] no ServiceAccount with the IRSA role annotation")
    check_metrics_wiring(label, deployments, by_kind)
    values = user_values(VALUE_SETS[label])
    chart_values = deep_merge(yaml.safe_load((CHART / "values.yaml").read_text()), values)
    for message in [
        *check_ops.ingress_findings(label, objects, chart_values["ingress"]["provider"]),
        *check_ops.keda_queue_findings(label, by_kind, CELERY_QUEUES),
        *check_ops.worker_metrics_findings(label, by_kind),
        *check_ops.hooks_findings(
            label, by_kind, chart_values["secrets"]["existingSecret"], chart_values["externalSecret"]["enabled"]
        ),
    ]:
        finding(message)


def check_metrics_wiring(label: str, deployments: dict[str, Any], by_kind: dict[str, list[dict[str, Any]]]) -> None:
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
    for monitor in by_kind.get("ServiceMonitor", []):
        for endpoint in monitor["spec"]["endpoints"]:
            credentials = endpoint.get("authorization", {}).get("credentials", {})
            if credentials.get("key") != "METRICS_BEARER_TOKEN":
                finding(f"[{label}] ServiceMonitor {monitor['metadata']['name']}: scrapes /metrics without the bearer token")
    config = next((c for c in by_kind.get("ConfigMap", []) if "DJANGO_SETTINGS_MODULE" in c.get("data", {})), {})
    wired = ("ALERTS_SNS_TOPIC_ARN", "ALERTS_EMAIL_TO", "ALERTS_DASHBOARD_BASE_URL", "TRUSTED_PROXY_HOPS", "LOCAL_LOGIN_ENABLED")
    for name in wired:
        if name not in config.get("data", {}):
            finding(f"[{label}] app ConfigMap lacks {name}")
    if config.get("data", {}).get("TRUSTED_PROXY_HOPS") != "1":
        finding(f"[{label}] TRUSTED_PROXY_HOPS must be 1 behind the ALB")


CELERY_QUEUES = check_ops.celery_queues(REPO / "matchminds" / "settings" / "base.py")


def check_keda_queues(chart: helm.Chart) -> None:
    """values.yaml lists Celery's queues, and the drift check catches a list that differs."""
    print(f"KEDA watches the queues Celery routes to: {CELERY_QUEUES}")
    listed = sorted(yaml.safe_load((CHART / "values.yaml").read_text())["worker"]["keda"]["queues"])
    if listed != CELERY_QUEUES:
        finding(f"values.yaml worker.keda.queues is {listed}; Celery routes tasks to {CELERY_QUEUES}")
    drifted = {"worker": {"keda": {"queues": [*CELERY_QUEUES, "matching"]}}}
    docs = [doc for _, doc in documents(render(chart, user_values(VALUE_SETS["prod"], drifted)))]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    if not check_ops.keda_queue_findings("prod+drift", by_kind, CELERY_QUEUES):
        finding("the KEDA queue check did not notice a queue Celery does not use")
    else:
        print("  ok   a drifted queue list is caught")


def check_dashboard_copy() -> None:
    print("grafana: the chart's business dashboard is deploy/grafana/matchminds-business.json")
    source = REPO / "deploy" / "grafana" / "matchminds-business.json"
    copy_in_chart = CHART / "dashboards" / "matchminds-business.json"
    if not copy_in_chart.is_file() or copy_in_chart.read_bytes() != source.read_bytes():
        finding(f"{copy_in_chart.relative_to(REPO)} differs from {source.relative_to(REPO)}: cp the latter over the former")


# ----------------------------------------------------------------- bad input

BAD_INPUTS = [
    ("grace period shorter than the drain", {"web": {"terminationGracePeriodSeconds": 30}}, "must exceed preStopSleepSeconds"),
    ("no secret source", {"secrets": {"existingSecret": "", "create": False}}, "no secret source"),
    ("two secret sources", {"secrets": {"existingSecret": "x", "create": True}}, "not both"),
    (
        "created secret without SECRET_KEY",
        {"secrets": {"existingSecret": "", "create": True, "values": {"DATABASE_URL": "postgres://x", "REDIS_URL": "redis://x"}}},
        "secrets.values.SECRET_KEY",
    ),
    ("no image repository", {"image": {"repository": ""}}, "image.repository is required"),
    ("no allowed hosts", {"config": {"allowedHosts": ""}}, "config.allowedHosts is required"),
    ("ingress without host", {"ingress": {"host": ""}}, "ingress.host is required"),
    ("KEDA without Redis address", {"worker": {"keda": {"enabled": True}}}, "worker.keda.redis.address is required"),
    (
        "KEDA together with the dev schedule",
        {"worker": {"keda": {"enabled": True, "redis": {"address": "r:6379"}}}, "devSchedule": {"enabled": True}},
        "cannot both be enabled",
    ),
    (
        "local login off without single sign-on",
        {"config": {"localLoginEnabled": False, "oidcIssuer": ""}},
        "config.localLoginEnabled=false needs single sign-on",
    ),
    (
        "created secret without the metrics token",
        {
            "secrets": {
                "existingSecret": "",
                "create": True,
                "values": {"SECRET_KEY": "x", "DATABASE_URL": "postgres://x", "REDIS_URL": "redis://x"},
            }
        },
        "secrets.values.METRICS_BEARER_TOKEN",
    ),
    ("unknown image moderation backend", {"moderation": {"imageBackend": "noop"}}, "imageBackend': value must be one of"),
    ("azure moderation without endpoint", {"moderation": {"imageBackend": "azure"}}, "needs moderation.azureEndpoint"),
    ("unknown chat text action", {"moderation": {"chatTextAction": "delete"}}, "chatTextAction': value must be one of"),
    # values.schema.json: types, enums and unknown keys fail before any template runs.
    ("a number as text", {"worker": {"concurrency": "two"}}, "'/worker/concurrency': got string, want integer"),
    ("a misspelt key", {"web": {"replicas": 3}}, "additional properties 'replicas' not allowed"),
    ("unknown ingress provider", {"ingress": {"provider": "traefik"}}, "'/ingress/provider': value must be one of"),
    ("KEDA with no queue", {"worker": {"keda": {"queues": []}}}, "'/worker/keda/queues': minItems"),
    (
        "nginx ingress without a TLS secret",
        {"ingress": {"provider": "nginx", "className": "nginx"}},
        "ingress.provider=nginx needs ingress.tlsSecretName",
    ),
    (
        "ExternalSecret with a chart-created Secret",
        {
            "externalSecret": {"enabled": True},
            "secrets": {
                "existingSecret": "",
                "create": True,
                "values": {"SECRET_KEY": "x", "DATABASE_URL": "x", "REDIS_URL": "x", "METRICS_BEARER_TOKEN": "x"},
            },
        },
        "externalSecret.enabled writes secrets.existingSecret",
    ),
    ("unknown log format", {"config": {"logFormat": "xml"}}, "'/config/logFormat': value must be one of"),
    (
        "PDB with both budgets",
        {"web": {"pdb": {"minAvailable": 1, "maxUnavailable": 1}}},
        "either minAvailable or maxUnavailable",
    ),
]


def check_bad_inputs(chart: helm.Chart) -> None:
    print("bad input is rejected with a clear message")
    for description, overrides, expected in BAD_INPUTS:
        try:
            render(chart, overrides)
        except helm.HelmError as error:
            if expected in str(error):
                print(f"  ok   {description}: {str(error).splitlines()[0][:160]}")
            else:
                finding(f"bad input '{description}' failed with an unexpected message: {error}")
        else:
            finding(f"bad input '{description}' rendered without error")


# ----------------------------------------------------------------- terraform


def check_terraform() -> None:
    print("terraform: parse every .tf with python-hcl2, variables typed/described")
    files = sorted(TERRAFORM.rglob("*.tf"))
    if not files:
        finding("no Terraform files found")
    variables = validations = 0
    for path in files:
        relative = path.relative_to(REPO)
        try:
            with path.open() as handle:
                parsed = hcl2.load(handle)
        except Exception as error:  # python-hcl2 raises lark errors of several types
            finding(f"{relative}: does not parse: {error}")
            continue
        for block in parsed.get("variable", []):
            for name, body in block.items():
                variables += 1
                validations += len(body.get("validation", []))
                for attribute in ("type", "description"):
                    if attribute not in body:
                        finding(f"{relative}: variable {name} has no {attribute}")
    roots = [p for p in (TERRAFORM / "modules").iterdir() if p.is_dir()]
    envs = [p for p in (TERRAFORM / "envs").iterdir() if p.is_dir()]
    for directory in roots + envs:
        for required in ("main.tf", "variables.tf", "outputs.tf", "versions.tf"):
            if not (directory / required).is_file():
                finding(f"{directory.relative_to(REPO)}: missing {required}")
    for env in envs:
        backend = (env / "versions.tf").read_text() if (env / "versions.tf").is_file() else ""
        if 'backend "s3"' not in backend or "use_lockfile" not in backend:
            finding(f"{env.relative_to(REPO)}: needs an S3 backend with use_lockfile locking")
    if validations == 0:
        finding("no Terraform variable has a validation block")
    print(
        f"  parsed {len(files)} files: {variables} variables, {validations} validation blocks, "
        f"{len(roots)} modules, {len(envs)} environments"
    )


# ----------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="directory for rendered manifests")
    args = parser.parse_args()

    print(
        f"helm-python-sdk {helm.__version__} (Helm SDK {helm.helm_sdk_version()}), "
        f"kubernetes-validate {kubernetes_validate.__version__}, versions {KUBERNETES_VERSIONS}"
    )
    lint_chart()
    check_values_documented()
    check_dashboard_copy()

    with helm.Chart.load(CHART) as chart:
        for label, files in VALUE_SETS.items():
            print(f"render + validate [{label}]")
            manifests = render(chart, user_values(files))
            docs = documents(manifests)
            target = args.out / label
            target.mkdir(parents=True, exist_ok=True)
            for template, doc in docs:
                validate_object(f"[{label}] {template} {doc['kind']}/{doc['metadata']['name']}", doc)
            check_shape(label, docs)
            for template, text in manifests.items():
                if template.endswith("NOTES.txt") or not text.strip():
                    continue
                path = target / template.replace("/", "__")
                path.write_text(text.strip() + "\n")
            kinds: dict[str, int] = {}
            for _, doc in docs:
                kinds[doc["kind"]] = kinds.get(doc["kind"], 0) + 1
            print("  " + ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items())))
        check_bad_inputs(chart)
        check_keda_queues(chart)

    argocd = REPO / "deploy" / "argocd"
    print("argocd: validate Application manifests")
    for path in sorted(argocd.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                validate_object(str(path.relative_to(REPO)), doc)

    check_terraform()

    print("karpenter: NodePool and EC2NodeClass per environment")
    for path in sorted((REPO / "deploy" / "karpenter").glob("*.yaml")):
        docs = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
        for doc in docs:
            validate_object(f"{path.relative_to(REPO)} {doc['kind']}/{doc['metadata']['name']}", doc)
        for message in check_ops.karpenter_findings(path, path.stem, docs):
            finding(message)

    print("capacity: values.yaml's HPA and KEDA defaults are the ones docs/capacity.md derives")
    for message in capacity_targets.check():
        finding(message)

    print("workflows: one Helm for checks and deploys")
    for message in check_ops.helm_version_findings(REPO / ".github" / "workflows", helm.helm_sdk_version()):
        finding(message)

    if findings:
        print(f"\n{len(findings)} finding(s) in rendering/validation")
        return 1
    print("\nrender, lint, schema validation, chart shape, bad input and HCL parse: 0 findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
