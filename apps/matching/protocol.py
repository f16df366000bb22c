"""Queue and match frames (documented in docs/protocol.md, section "Matching frames")."""

from typing import Literal, NotRequired, TypedDict

from apps.realtime.frame_schema import FrameInt


class PublicCard(TypedDict):
    user_id: int
    nickname: str
    gender: str
    university: str
    university_verified: bool
    region: str
    interests: list[str]
    bio: str
    photo_url: str | None
    university_en: NotRequired[str]
    interest_names: NotRequired[dict[str, list[str]]]
    age_band: NotRequired[list[int]]


class QueueJoinFrame(TypedDict):
    type: Literal["queue.join"]
    event: FrameInt


class QueueLeaveFrame(TypedDict):
    type: Literal["queue.leave"]
    event: FrameInt


class QueueSyncFrame(TypedDict):
    type: Literal["queue.sync"]
    event: FrameInt


class QueueStatusFrame(TypedDict):
    type: Literal["queue.status"]
    event: int
    state: Literal["waiting", "proposed", "none"]
    position: int | None
    waiting: dict[str, int]
    partners_waiting: int
    eta_s: int | None
    long_side: bool
    waited_s: int
    max_wait_s: int
    proposal: NotRequired[int]


class QueueLeftFrame(TypedDict):
    type: Literal["queue.left"]
    event: int
    reason: Literal["left", "disconnected", "max_wait", "event_ended", "service_reset"]
    waited_s: NotRequired[int]


class MatchProposedFrame(TypedDict):
    type: Literal["match.proposed"]
    proposal: int
    event: int
    partner: PublicCard
    accept_timeout_s: int
    expires_at: str


class MatchAnswerFrame(TypedDict):
    type: Literal["match.accept", "match.decline"]
    proposal: FrameInt


class MatchAcceptedFrame(TypedDict):
    type: Literal["match.accepted"]
    proposal: int
    event: int


class MatchConfirmedFrame(TypedDict):
    type: Literal["match.confirmed"]
    proposal: int
    event: int
    match: int
    room: int | None
    partner: PublicCard


class MatchCancelledFrame(TypedDict):
    type: Literal["match.cancelled"]
    proposal: int
    event: int
    reason: Literal["declined", "partner_declined", "timeout", "partner_timeout", "partner_left", "lease_expired", "blocked"]
    requeued: bool


class MatchEndedFrame(TypedDict):
    type: Literal["match.ended"]
    match: int
    event: int


INBOUND = (QueueJoinFrame, QueueLeaveFrame, QueueSyncFrame, MatchAnswerFrame)
OUTBOUND = (
    QueueStatusFrame,
    QueueLeftFrame,
    MatchProposedFrame,
    MatchAcceptedFrame,
    MatchConfirmedFrame,
    MatchCancelledFrame,
    MatchEndedFrame,
)
