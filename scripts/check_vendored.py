"""Verifies the vendored front-end files against static/vendor/vendor.json (version, source, SHA-256).

Every file under static/vendor/ must be listed there with the checksum it has, so a changed,
added or upgraded file cannot slip in unrecorded. To upgrade a package: `npm pack NAME@VERSION`,
copy the files named in `from`, then update `version`, `source` and each `sha256`.
Exits with status 1 and one line per problem.
"""

import hashlib
import json
import sys
from pathlib import Path

VENDOR = Path(__file__).resolve().parent.parent / "static" / "vendor"
MANIFEST = VENDOR / "vendor.json"
# Files describing the vendored packages, not vendored themselves.
NOT_VENDORED = {"vendor.json", "chartjs/VERSION"}


def problems(vendor: Path = VENDOR) -> list[str]:
    manifest = json.loads((vendor / "vendor.json").read_text())
    found = []
    listed = set()
    for name, package in manifest["packages"].items():
        for relative, entry in package["files"].items():
            listed.add(relative)
            path = vendor / relative
            if not path.is_file():
                found.append(f"{name} {package['version']}: {relative} is missing")
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            if digest != entry["sha256"]:
                found.append(f"{name} {package['version']}: {relative} has sha256 {digest}, the manifest says {entry['sha256']}")
    for path in sorted(vendor.rglob("*")):
        relative = path.relative_to(vendor).as_posix()
        if path.is_file() and relative not in listed | NOT_VENDORED:
            found.append(f"{relative} is vendored but not recorded in static/vendor/vendor.json")
    return found


if __name__ == "__main__":
    found = problems()
    for line in found:
        print(f"check_vendored: {line}", file=sys.stderr)
    if not found:
        print("check_vendored: every vendored file matches static/vendor/vendor.json")
    sys.exit(1 if found else 0)
