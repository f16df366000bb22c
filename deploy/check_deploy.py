"""Static proof of the deploy files, run by deploy/check_deploy.sh inside .venv-deploy.

There is no cluster, cloud account, helm or terraform binary here, so this renders the
chart with the Helm v4 Go SDK (helm-python-sdk), lints it strictly, validates every
rendered object against the Kubernetes schemas, asserts the chart's shape and its
bad-input failures, and parses every Terraform file. Rendered manifests are written to
--out for yamllint and checkov. Exits non-zero on the first class of findings.
The checks themselves live in deploy/checks/, one module per subject.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import helm_python as helm
import kubernetes_validate
import yaml
from capacity_targets import check as capacity_target_findings
from checks import chart, common, ops
from checks.bad_input import check_bad_inputs
from checks.common import CHART, KUBERNETES_VERSIONS, REPO, VALUE_SETS, finding
from checks.schemas import validate_object
from checks.shape import check_keda_queues
from checks.terraform import check_terraform


def check_argocd() -> None:
    print("argocd: validate Application manifests")
    for path in sorted((REPO / "deploy" / "argocd").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc:
                validate_object(str(path.relative_to(REPO)), doc)


def check_karpenter() -> None:
    print("karpenter: NodePool and EC2NodeClass per environment")
    for path in sorted((REPO / "deploy" / "karpenter").glob("*.yaml")):
        docs = [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
        for doc in docs:
            validate_object(f"{path.relative_to(REPO)} {doc['kind']}/{doc['metadata']['name']}", doc)
        for message in ops.karpenter_findings(path, path.stem, docs):
            finding(message)


def check_workflows() -> None:
    print("workflows: one Helm for checks and deploys")
    for message in ops.helm_version_findings(REPO / ".github" / "workflows", helm.helm_sdk_version()):
        finding(message)


def check_capacity_targets() -> None:
    print("capacity: values.yaml's HPA and KEDA defaults are the ones docs/capacity.md derives")
    for message in capacity_target_findings():
        finding(message)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="directory for rendered manifests")
    args = parser.parse_args()

    print(
        f"helm-python-sdk {helm.__version__} (Helm SDK {helm.helm_sdk_version()}), "
        f"kubernetes-validate {kubernetes_validate.__version__}, versions {KUBERNETES_VERSIONS}"
    )
    chart.lint_chart()
    chart.check_values_documented()
    chart.check_dashboard_copy()
    with helm.Chart.load(CHART) as loaded:
        for label in VALUE_SETS:
            chart.render_and_validate(loaded, label, args.out)
        check_bad_inputs(loaded)
        check_keda_queues(loaded)
    check_argocd()
    check_terraform()
    check_karpenter()
    check_workflows()
    check_capacity_targets()

    if common.findings:
        print(f"\n{len(common.findings)} finding(s) in rendering/validation")
        return 1
    print("\nrender, lint, schema validation, chart shape, bad input and HCL parse: 0 findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
