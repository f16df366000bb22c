"""Waits until the web process answers, prints where to open MatchMinds, and exits."""

import sys
import time
import urllib.request

url = sys.argv[1]
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url + "healthz", timeout=2):  # noqa: S310 - local http URL we built
            break
    except OSError:
        time.sleep(0.5)
print(
    f"\n  MatchMinds is running: open {url}\n  Admin: {url}admin/  (admin@matchminds.local / matchminds-demo)\n"
    "  Students: student01@matchminds.local … student20@matchminds.local / matchminds-demo\n  Ctrl-C stops everything.\n",
    flush=True,
)
