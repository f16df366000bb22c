#!/usr/bin/env python
"""CPU per inbound frame check: 100,000 `message.send` frames through the check the gateway
runs before chat's handler (apps.realtime.frame_schema), best of five runs, in process CPU
time (wall-clock on a shared machine says little). The LAST line printed is a JSON object.

    DJANGO_SETTINGS_MODULE=matchminds.settings.test .venv/bin/python bench/frame_check.py
"""

import json
import os
import sys
import time
from pathlib import Path

FRAMES = 100_000
RUNS = 5


def main() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matchminds.settings.test")
    import django

    django.setup()
    from apps.realtime import registry

    check = registry.frame_checks["message.send"]
    frames = [
        {"type": "message.send", "room": 1000 + i % 50, "client_msg_id": f"c{i}", "body": "안녕하세요 오늘 어때요?", "ref": "r"}
        for i in range(FRAMES)
    ]
    runs = []
    for _run in range(RUNS):
        started = time.process_time()
        for frame in frames:
            check(frame)
        runs.append((time.process_time() - started) / FRAMES * 1000)
    runs_ms = [round(run, 6) for run in runs]
    print(json.dumps({"frames": FRAMES, "ms_per_frame_best": min(runs_ms), "ms_per_frame_runs": runs_ms}))


if __name__ == "__main__":
    main()
