"""The chart: strict lint, documented values, the dashboard copy, and each value set rendered and validated."""

from __future__ import annotations

import re
from pathlib import Path

import helm_python as helm

from .common import CHART, KUBERNETES_VERSIONS, NAMESPACE, REPO, VALUE_SETS, documents, finding, render, user_values
from .schemas import validate_object
from .shape import check_shape


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


def check_dashboard_copy() -> None:
    print("grafana: the chart's business dashboard is deploy/grafana/matchminds-business.json")
    source = REPO / "deploy" / "grafana" / "matchminds-business.json"
    copy_in_chart = CHART / "dashboards" / "matchminds-business.json"
    if not copy_in_chart.is_file() or copy_in_chart.read_bytes() != source.read_bytes():
        finding(f"{copy_in_chart.relative_to(REPO)} differs from {source.relative_to(REPO)}: cp the latter over the former")


def render_and_validate(chart: helm.Chart, label: str, out: Path) -> None:
    """Render one value set, validate every object, check the shape, write the manifests to `out/<label>`."""
    print(f"render + validate [{label}]")
    manifests = render(chart, user_values(VALUE_SETS[label]))
    docs = documents(manifests)
    target = out / label
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
