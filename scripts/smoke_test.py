"""`helm test` smoke check (deploy/helm/matchminds/templates/tests/smoke.yaml), standard library only.

Asks SMOKE_BASE_URL (the web Service) for /healthz and /readyz with SMOKE_HOST as the Host
header (Django's ALLOWED_HOSTS); exits non-zero with the reason when either is not ok.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request

ATTEMPTS = 5
PAUSE_S = float(os.environ.get("SMOKE_PAUSE_S", "3"))
TIMEOUT_S = 5


def check(base_url: str, host: str, path: str) -> str | None:
    """None when `path` answers 200 with status ok, else why not."""
    request = urllib.request.Request(base_url + path, headers={"Host": host})  # noqa: S310 (the Service URL)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:  # noqa: S310 (the Service URL)
            body = json.loads(response.read())
    except urllib.error.HTTPError as error:
        return f"{path}: HTTP {error.code} {error.read()[:200]!r}"
    except (OSError, ValueError) as error:
        return f"{path}: {error}"
    return None if body.get("status") == "ok" else f"{path}: {body}"


def main() -> int:
    base_url, host = os.environ["SMOKE_BASE_URL"].rstrip("/"), os.environ["SMOKE_HOST"]
    problems: list[str] = []
    for attempt in range(ATTEMPTS):
        problems = [problem for path in ("/healthz", "/readyz") if (problem := check(base_url, host, path))]
        if not problems:
            print(f"smoke test: {base_url} healthy and ready")
            return 0
        if attempt < ATTEMPTS - 1:
            time.sleep(PAUSE_S)
    print("smoke test failed: " + "; ".join(problems), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
