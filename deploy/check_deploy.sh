#!/usr/bin/env bash
# make check-deploy: statically prove the deploy files, since no cluster, cloud account,
# Docker engine, helm or terraform binary exists here.
#   1. render the chart (default, dev, prod, generic) with the Helm v4 SDK, lint it strictly,
#      validate every object against the Kubernetes schemas, assert the chart's shape
#      and that bad input fails with a clear message; parse every .tf file
#   2. yamllint, shellcheck, hadolint
#   3. checkov on the rendered manifests, Terraform, the Dockerfile and the workflows:
#      0 failed checks allowed; every skip carries its reason next to the code it skips
# Tools live in .venv-deploy and .venv-checkov (checkov pins an old boto3), created from
# PyPI on first run (hashed locks, see `make lock`) and reused while their lock is unchanged.
set -o errexit -o pipefail -o nounset
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
DEPLOY_VENV=.venv-deploy
CHECKOV_VENV=.venv-checkov

ensure_venv() {
    local venv=$1 requirements=$2 stamp wanted
    stamp="${venv}/.requirements.sha256"
    wanted=$(sha256sum "${requirements}" | cut -d ' ' -f 1)
    if [[ -x "${venv}/bin/python" && -f "${stamp}" && "$(cat "${stamp}")" == "${wanted}" ]]; then
        return
    fi
    echo "creating ${venv} from ${requirements}"
    rm -rf "${venv}"
    "${PYTHON}" -m venv "${venv}"
    # Hashed locks compiled from the .in files by `make lock`: every package pinned and verified.
    "${venv}/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps \
        --requirement "${requirements}" 2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
    echo "${wanted}" >"${stamp}"
}

echo "== tools"
ensure_venv "${DEPLOY_VENV}" deploy/requirements-deploy.txt
ensure_venv "${CHECKOV_VENV}" deploy/requirements-checkov.txt

rendered=$(mktemp -d)
trap 'rm -rf "${rendered}"' EXIT

echo "== render, lint, validate (chart) and parse (Terraform)"
"${DEPLOY_VENV}/bin/python" deploy/check_deploy.py --out "${rendered}/manifests"

echo "== terraform fmt"
# The binary formats without providers; validate and tflint need them and run in
# .github/workflows/terraform.yml. Without a binary the HCL parse above stands in.
if command -v terraform >/dev/null 2>&1; then
    terraform fmt -check -recursive -diff deploy/terraform
    echo "terraform fmt: 0 files to reformat"
else
    echo "terraform fmt: no terraform binary; every .tf was parsed with python-hcl2 above"
fi

echo "== yamllint"
"${DEPLOY_VENV}/bin/yamllint" --strict --config-file .yamllint.yml \
    deploy/helm/matchminds/Chart.yaml deploy/helm/matchminds/values*.yaml \
    deploy/argocd deploy/karpenter .github/workflows "${rendered}/manifests"
echo "yamllint: 0 problems"

echo "== shellcheck, hadolint"
"${DEPLOY_VENV}/bin/shellcheck" --severity style docker/*.sh deploy/check_deploy.sh scripts/*.sh .ci/run .ci/*.sh
"${DEPLOY_VENV}/bin/hadolint" --failure-threshold info Dockerfile
echo "shellcheck and hadolint: 0 findings"

echo "== checkov"
# --skip-download: no Prisma Cloud calls; only the bundled open-source checks run.
run_checkov() {
    local label=$1
    shift
    local status=0
    "${CHECKOV_VENV}/bin/checkov" --quiet --compact --skip-download \
        --output cli --output json --output-file-path "${rendered}/checkov-${label}" "$@" \
        >"${rendered}/checkov-${label}.log" 2>&1 || status=$?
    "${DEPLOY_VENV}/bin/python" - "${label}" "${rendered}/checkov-${label}/results_json.json" "${status}" <<'PY'
import json, sys
from pathlib import Path

label, path, status = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
if not path.is_file():
    print(f"checkov {label}: no JSON report (exit {status})")
    sys.exit(1)
reports = json.loads(path.read_text())
reports = reports if isinstance(reports, list) else [reports]
totals = {"passed": 0, "failed": 0, "skipped": 0, "parsing_errors": 0, "resource_count": 0}
for report in reports:
    for key in totals:
        totals[key] += report.get("summary", {}).get(key, 0)
    for check in report.get("results", {}).get("failed_checks", []):
        print(f"  FAIL {check['check_id']} {check['check_name']}: {check['resource']} ({check['file_path']})")
print(f"checkov {label}: {totals['passed']} passed, {totals['failed']} failed, "
      f"{totals['skipped']} skipped, {totals['parsing_errors']} parsing errors "
      f"over {totals['resource_count']} resources")
ok = totals["failed"] == 0 and totals["parsing_errors"] == 0 and totals["passed"] > 0 and status == 0
Path(sys.argv[2]).with_name("totals.json").write_text(json.dumps(totals))
sys.exit(0 if ok else 1)
PY
}

failed=0
run_checkov kubernetes --framework kubernetes --directory "${rendered}/manifests" || failed=1
run_checkov terraform --framework terraform --directory deploy/terraform || failed=1
run_checkov dockerfile --framework dockerfile --file Dockerfile || failed=1
run_checkov github_actions --framework github_actions --directory .github/workflows || failed=1

"${DEPLOY_VENV}/bin/python" - "${rendered}" <<'PY'
import json, sys
from pathlib import Path

totals = {"passed": 0, "failed": 0, "skipped": 0}
for path in Path(sys.argv[1]).glob("checkov-*/totals.json"):
    for key, value in json.loads(path.read_text()).items():
        if key in totals:
            totals[key] += value
print(f"checkov total: {totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
PY

if [[ ${failed} -ne 0 ]]; then
    echo "check-deploy: checkov findings above" >&2
    exit 1
fi
echo "check-deploy: OK"
