"""Dashboard frames (docs/protocol.md, "Dashboard"). Staff only."""

from typing import Literal, NotRequired, TypedDict

from apps.realtime.frame_schema import FrameInt


def dashboard_group(event_id: int | None) -> str:
    """Staff viewers of one event's dashboard (or `dashboard.all` for every event)."""
    return f"dashboard.{'all' if event_id is None else int(event_id)}"


class DashboardSubscribeFrame(TypedDict):
    type: Literal["dashboard.subscribe"]
    event: NotRequired[FrameInt | None]
    ref: NotRequired[str]


class DashboardUnsubscribeFrame(TypedDict):
    type: Literal["dashboard.unsubscribe"]


class Tiles(TypedDict):
    online: int
    online_m: int
    online_f: int
    gender_ratio_online: float | None
    queue_total: int
    queue_m: int
    queue_f: int
    gender_ratio_queue: float | None
    proposals_15m: int
    confirmed_15m: int
    match_success_rate_15m: float | None
    confirmed_total: int
    conversation_rate: float | None
    wait_p50_s: float | None
    wait_p95_s: float | None
    messages_per_s: float
    messages_1m: int  # messages in the trailing 60 s (the trend chart plots it)
    reports_15m: int
    moderation_backlog: int
    connects_1m: int
    disconnects_1m: int


class RegionRow(TypedDict):
    code: str
    online: int
    connects_5m: int


class UniversityRow(TypedDict):
    id: int
    name: str
    online: int
    connects_5m: int


class DashboardSnapshotFrame(TypedDict):
    type: Literal["dashboard.snapshot"]
    event: int | None
    ts: int
    tiles: Tiles
    regions: list[RegionRow]
    universities: list[UniversityRow]


INBOUND = (DashboardSubscribeFrame, DashboardUnsubscribeFrame)
OUTBOUND = (DashboardSnapshotFrame,)
