"""Bad values fail the render with a message that says what to fix (templates and values.schema.json)."""

from __future__ import annotations

import helm_python as helm

from .common import finding, render

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
