"""Round frames (documented in docs/protocol.md, section "Speed-dating rounds")."""

from typing import Annotated, Literal, NotRequired, TypedDict

from apps.matching.protocol import PublicCard
from apps.realtime.frame_schema import FrameInt, MaxLength, RequiredWithout, ServiceChecksValue


class RoundCheckinFrame(TypedDict):
    """Inbound `round.checkin` / `round.leave`: press "참가" in the lobby, or leave the rounds."""

    type: Literal["round.checkin", "round.leave"]
    event: FrameInt


class RoundAnswerFrame(TypedDict):
    """Inbound: after the talk, "다시 만나고 싶어요" (yes) or "괜찮아요" (no), once, until the break ends."""

    type: Literal["round.answer"]
    round: FrameInt
    # Any other string is the service's `invalid_answer` (the HTTP API shares it).
    answer: Annotated[Literal["yes", "no"], MaxLength(3), ServiceChecksValue()]


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
    room: NotRequired[FrameInt]  # when present, `event` is not read
    event: NotRequired[Annotated[FrameInt, RequiredWithout("room")]]


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
    paused: bool
    server_time: str


class RoundClockFrame(TypedDict):
    """The organizer paused, resumed or extended the round: the countdown follows the new times."""

    type: Literal["round.clock"]
    event: int
    round: int
    number: int
    room: int | None
    phase: Literal["talking", "answering"]
    change: Literal["paused", "resumed", "extended"]
    paused: bool
    ends_at: str
    break_ends_at: str
    server_time: str


class ConsoleSubscribeFrame(TypedDict):
    """Inbound, staff only: watch one rounds event's organizer console."""

    type: Literal["console.subscribe"]
    event: FrameInt


class ConsoleActionFrame(TypedDict):
    """Inbound, staff only: one console button, with the round and version the console showed."""

    type: Literal["console.action"]
    event: FrameInt
    # Any other string is the service's `invalid_action` (the HTTP API shares it).
    action: Annotated[Literal["pause", "resume", "extend", "skip", "end"], MaxLength(10), ServiceChecksValue()]
    round: NotRequired[FrameInt | None]  # absent or null: no expectation
    version: NotRequired[FrameInt | None]


class ConsoleRound(TypedDict):
    id: int
    number: int
    phase: Literal["talking", "answering", "done"]
    paused: bool
    version: int
    started_at: str
    ends_at: str
    break_ends_at: str
    pairs: int
    sitouts: int


class ConsoleLogEntry(TypedDict):
    at: str
    staff: str
    action: str
    error: str


class ConsoleStateFrame(TypedDict):
    type: Literal["console.state"]
    event: int
    state: Literal["scheduled", "live", "ended"]
    rounds_count: int
    checked_in: dict[str, int]
    present: int
    round: ConsoleRound | None
    next_round: int | None
    next_round_at: str | None
    last_yes_rate: float | None
    last_mutual_rate: float | None
    allowed: list[str]
    log: list[ConsoleLogEntry]
    server_time: str


class ConsoleDoneFrame(TypedDict):
    """The answer to the organizer who pressed: what was done (the new state follows as `console.state`)."""

    type: Literal["console.done"]
    event: int
    action: Literal["pause", "resume", "extend", "skip", "end"]


INBOUND = (RoundCheckinFrame, RoundAnswerFrame, RoundSyncFrame, ConsoleSubscribeFrame, ConsoleActionFrame)
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
    RoundClockFrame,
    ConsoleStateFrame,
    ConsoleDoneFrame,
)


def console_group(event_id: int) -> str:
    """Staff watching one rounds event's organizer console."""
    return f"rounds.console.{int(event_id)}"
