"""Dashboard frames: built here, sent to the staff-only group of the event."""

import json

from apps.dashboard.protocol import DashboardSnapshotFrame, dashboard_group
from apps.realtime.events import send_to_groups


def dashboard_snapshot_frame(snapshot: dict) -> DashboardSnapshotFrame:
    return {"type": "dashboard.snapshot", **snapshot}


def dashboard_snapshot_send(*, event_id: int | None, frame: DashboardSnapshotFrame) -> None:
    send_to_groups([dashboard_group(event_id)], frame)


def encode(frame: dict) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> dict:
    return json.loads(text)
