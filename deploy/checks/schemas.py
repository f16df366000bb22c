"""Strict schemas of the custom resources the repository renders, and the validation of every object.

Kubernetes' own kinds are validated by kubernetes-validate against each version in
KUBERNETES_VERSIONS; the CRDs (KEDA, Prometheus operator, Argo CD, External Secrets,
Karpenter) against the schemas below.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import kubernetes_validate

from .common import KUBERNETES_VERSIONS, finding

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
