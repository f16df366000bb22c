"""Terraform without a terraform binary: every .tf parses, variables are typed and described,
every module and environment root has the four standard files, environments lock their state."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import hcl2

from .common import REPO, TERRAFORM, finding

STANDARD_FILES = ("main.tf", "variables.tf", "outputs.tf", "versions.tf")


def check_terraform() -> None:
    print("terraform: parse every .tf with python-hcl2, variables typed/described")
    files = sorted(TERRAFORM.rglob("*.tf"))
    if not files:
        finding("no Terraform files found")
    variables = validations = 0
    for path in files:
        parsed = parse(path)
        if parsed is not None:
            counted = check_variables(path.relative_to(REPO), parsed)
            variables, validations = variables + counted[0], validations + counted[1]
    roots = [p for p in (TERRAFORM / "modules").iterdir() if p.is_dir()]
    envs = [p for p in (TERRAFORM / "envs").iterdir() if p.is_dir()]
    check_layout(roots, envs)
    if validations == 0:
        finding("no Terraform variable has a validation block")
    print(
        f"  parsed {len(files)} files: {variables} variables, {validations} validation blocks, "
        f"{len(roots)} modules, {len(envs)} environments"
    )


def parse(path: Path) -> dict[str, Any] | None:
    try:
        with path.open() as handle:
            return hcl2.load(handle)
    except Exception as error:  # python-hcl2 raises lark errors of several types
        finding(f"{path.relative_to(REPO)}: does not parse: {error}")
        return None


def check_variables(relative: Path, parsed: dict[str, Any]) -> tuple[int, int]:
    """Finds untyped or undescribed variables; returns (variables, validation blocks) of the file."""
    variables = validations = 0
    for block in parsed.get("variable", []):
        for name, body in block.items():
            variables += 1
            validations += len(body.get("validation", []))
            for attribute in ("type", "description"):
                if attribute not in body:
                    finding(f"{relative}: variable {name} has no {attribute}")
    return variables, validations


def check_layout(roots: list[Path], envs: list[Path]) -> None:
    for directory in roots + envs:
        for required in STANDARD_FILES:
            if not (directory / required).is_file():
                finding(f"{directory.relative_to(REPO)}: missing {required}")
    for env in envs:
        backend = (env / "versions.tf").read_text() if (env / "versions.tf").is_file() else ""
        if 'backend "s3"' not in backend or "use_lockfile" not in backend:
            finding(f"{env.relative_to(REPO)}: needs an S3 backend with use_lockfile locking")
