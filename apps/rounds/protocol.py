"""Round frames (documented in docs/protocol.md, section "Speed-dating rounds")."""

from typing import Literal, NotRequired, TypedDict

from apps.matching.protocol import PublicCard


class RoundCheckinFrame(TypedDict):
    """Inbound `round.checkin` / `round.leave`: press "참가" in the lobby, or leave the rounds."""

    type: Literal["round.checkin", "round.leave"]
    event: int


class RoundAnswerFrame(TypedDict):
    """Inbound: after the talk, "다시 만나고 싶어요" (yes) or "괜찮아요" (no), once, until the break ends."""

    type: Literal["round.answer"]
    round: int
    answer: Literal["yes", "no"]


class RoundCheckedInFrame(TypedDict):
    type: Literal["round.checked_in"]
    event: int
    checked_in: bool
    next_round: int | None
    next_round_at: str | None
    server_time: str


class RoundSeatedFrame(TypedDict):
    type: Literal["round.seated"]
    event: int
    round: int
    number: int
    rounds_count: int
    room: int
    partner: PublicCard
    started_at: str
    ends_at: str
    break_ends_at: str
    server_time: str


class RoundSitoutFrame(TypedDict):
    type: Literal["round.sitout"]
    event: int
    round: int
    number: int
    reason: Literal["uneven", "no_compatible_partner"]
    first_next_round: bool
    next_round_at: str | None
    server_time: str


class RoundWarningFrame(TypedDict):
    type: Literal["round.warning"]
    round: int
    number: int
    room: int
    ends_at: str
    server_time: str


class RoundTalkEndedFrame(TypedDict):
    type: Literal["round.talk_ended"]
    round: int
    room: int
    answer_until: str
    server_time: str


class RoundAnsweredFrame(TypedDict):
    type: Literal["round.answered"]
    round: int
    answer: Literal["yes", "no"]


class RoundPartnerLeftFrame(TypedDict):
    type: Literal["round.partner_left"]
    round: int
    room: int


class RoundMatchFrame(TypedDict):
    type: Literal["round.match"]
    event: int
    round: int
    number: int
    match: int
    room: int
    partner: PublicCard


class RoundOverFrame(TypedDict):
    """The break ended: the round is closed. `matches` counts the receiver's own mutual yeses revealed now."""

    type: Literal["round.over"]
    event: int
    round: int
    number: int
    matches: int
    next_round_at: NotRequired[str | None]


class RoundSyncFrame(TypedDict):
    """Inbound: the state of the rounds for the lobby (`event`) or for a round's room (`room`)."""

    type: Literal["round.sync"]
    event: NotRequired[int]
    room: NotRequired[int]


class RoundStateFrame(TypedDict):
    type: Literal["round.state"]
    event: int
    checked_in: bool
    round: int | None
    number: int | None
    rounds_count: int
    phase: Literal["talking", "answering", "done"] | None
    seat: Literal["seated", "sitout", "none"]
    room: int | None
    partner: PublicCard | None
    ends_at: str | None
    break_ends_at: str | None
    answer: Literal["yes", "no", ""]
    match_room: int | None
    next_round_at: str | None
    server_time: str


INBOUND = (RoundCheckinFrame, RoundAnswerFrame, RoundSyncFrame)
OUTBOUND = (
    RoundCheckedInFrame,
    RoundSeatedFrame,
    RoundSitoutFrame,
    RoundWarningFrame,
    RoundTalkEndedFrame,
    RoundAnsweredFrame,
    RoundPartnerLeftFrame,
    RoundMatchFrame,
    RoundOverFrame,
    RoundStateFrame,
)
