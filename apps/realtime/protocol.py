"""The WebSocket envelope and the gateway's own frame types (see docs/protocol.md).

Every frame is a JSON object with a string `type`. A client may add `ref` (a string of at
most 64 characters) to any frame; the server echoes it on the `error` frame that answers it,
so a client can tell which of its frames failed.
"""

from enum import StrEnum
from typing import Literal, NotRequired, TypedDict

MAX_FRAME_BYTES = 16 * 1024
MAX_REF_LENGTH = 64
# Arrays and objects inside one another; every frame of the protocol needs fewer than 4.
MAX_FRAME_NESTING = 16


# An open socket whose session was ended by a password change in another browser
# (docs/protocol.md); final for the client, like 4401. Daphne does not pass a close reason
# on, so the code itself says why.
CLOSE_PASSWORD_CHANGED = 4411


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def room_group(room_id: int) -> str:
    return f"room.{room_id}"


def event_group(event_id: int) -> str:
    return f"event.{event_id}"


class HelloFrame(TypedDict):
    type: Literal["hello"]
    user_id: int
    heartbeat_interval_s: int
    server_time: str


class PingFrame(TypedDict):
    type: Literal["ping"]
    ref: NotRequired[str]


class PongFrame(TypedDict):
    type: Literal["pong"]
    server_time: str


class ErrorFrame(TypedDict):
    type: Literal["error"]
    code: str
    message: str
    ref: NotRequired[str]
    retry_after_s: NotRequired[int]
    field: NotRequired[str]


INBOUND = (PingFrame,)
OUTBOUND = (HelloFrame, PongFrame, ErrorFrame)


class ErrorCode(StrEnum):
    MALFORMED_JSON = "malformed_json"
    BINARY_NOT_SUPPORTED = "binary_not_supported"
    FRAME_TOO_LARGE = "frame_too_large"
    INVALID_FRAME = "invalid_frame"
    UNKNOWN_TYPE = "unknown_type"
    INTERNAL_ERROR = "internal_error"
    SERVICE_UNAVAILABLE = "service_unavailable"
