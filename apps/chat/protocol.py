"""Chat frames (see docs/protocol.md, "Chat"). Producers and handlers share these schemas.

Every message in a room carries a gapless `seq` (1, 2, 3, …). A client keeps the last seq
it holds per room, sends it in `resume` after every (re)connect, and asks for a range when
it sees a gap; the server never sends a partial recovery: it replays everything missing
or tells the client to reload the room through the history API.
"""

from enum import StrEnum
from typing import Annotated, Literal, NotRequired, TypedDict

from django.utils.translation import gettext_lazy

from apps.realtime.frame_schema import FrameInt, MaxItems, MaxLength, Message, Pattern, ServiceChecksValue

BODY_MAX_CHARS = 1000
CLIENT_MSG_ID_MAX_CHARS = 64
RESUME_MAX_ROOMS = 200
REPLAY_MAX_MESSAGES = 500
TYPING_EXPIRES_S = 5
# The longest room id `resume` takes as a key (below PostgreSQL's bigint).
ROOM_KEY_MAX_DIGITS = 18


class ErrorCode(StrEnum):
    NOT_MEMBER = "not_member"
    ROOM_CLOSED = "room_closed"
    ROOM_ARCHIVED = "room_archived"
    BLOCKED = "blocked"
    READ_ONLY_ROOM = "read_only_room"
    BODY_EMPTY = "body_empty"
    BODY_TOO_LONG = "body_too_long"
    RATE_LIMITED = "rate_limited"
    BAD_RANGE = "bad_range"
    IMAGES_DIRECT_ONLY = "images_direct_only"
    INVALID_TOKEN = "invalid_token"  # noqa: S105 - an error code
    MESSAGE_NOT_FOUND = "message_not_found"
    NOT_ROOM_MEMBER = "not_room_member"
    USER_NOT_IN_ROOM = "user_not_in_room"


class ChatMessage(TypedDict):
    room: int
    seq: int
    sender: int
    client_msg_id: str
    kind: Literal["text", "announcement", "image"]  # image: body is the image key (GET /safety/chat-images/<key>/)
    body: str
    sent_at: str
    unread: NotRequired[int]  # lobby rooms: members who have not read it yet


# Client → server
class MessageSendFrame(TypedDict):
    type: Literal["message.send"]
    room: FrameInt
    client_msg_id: Annotated[str, MaxLength(CLIENT_MSG_ID_MAX_CHARS)]
    # Trimming happens in the service; the raw limit only stops absurd frames early.
    body: Annotated[str, MaxLength(BODY_MAX_CHARS * 4)]


_ROOMS_ENTRY = Message(gettext_lazy("'rooms' must map room ids to seqs."))


class ResumeFrame(TypedDict):
    type: Literal["resume"]
    rooms: Annotated[  # room id → last seq held (0 when none)
        dict[
            Annotated[str, MaxLength(ROOM_KEY_MAX_DIGITS), Pattern("[0-9]+"), _ROOMS_ENTRY],
            Annotated[FrameInt, _ROOMS_ENTRY],
        ],
        MaxItems(RESUME_MAX_ROOMS),
        Message(gettext_lazy("'rooms' must map at most %(max)d room ids to the last seq held.")),
    ]


class MessageRangeFrame(TypedDict):
    type: Literal["message.range"]
    room: FrameInt
    after_seq: FrameInt
    until_seq: FrameInt


class MessageReadFrame(TypedDict):
    type: Literal["message.read"]
    room: FrameInt
    seq: FrameInt


class TypingFrame(TypedDict):
    type: Literal["typing"]
    room: FrameInt


class PresenceSetFrame(TypedDict):
    type: Literal["presence.set"]
    state: Annotated[Literal["online", "away"], MaxLength(10), ServiceChecksValue()]


class UnreadSyncFrame(TypedDict):
    type: Literal["chat.unread_sync"]


class LobbyChatJoinFrame(TypedDict):
    type: Literal["room.join_lobby"]
    event: FrameInt


# Server → client
class MessageAckFrame(TypedDict):
    type: Literal["message.ack"]
    room: int
    client_msg_id: str
    seq: int
    sent_at: str
    duplicate: bool
    message: NotRequired["ChatMessage"]  # the stored message, as `message.new` carries it; absent for a duplicate


class MessageNewFrame(ChatMessage):
    type: Literal["message.new"]


class MessageBatchFrame(TypedDict):
    type: Literal["message.batch"]
    room: int
    messages: list[ChatMessage]
    last_seq: int  # the room's newest seq when the batch was read
    partner_read_seq: int | None  # 1:1: how far the partner has read; lobby: None


class RoomReloadFrame(TypedDict):
    type: Literal["room.reload"]
    room: int
    last_seq: int
    partner_read_seq: int | None


class ReadReceiptFrame(TypedDict):
    type: Literal["message.read"]
    room: int
    user: int
    seq: int


class UnreadCountsFrame(TypedDict):
    type: Literal["room.unread_counts"]
    room: int
    counts: dict[str, int]  # seq → members who have not read it


class RoomSummary(TypedDict):
    id: int
    kind: Literal["direct", "lobby"]
    title: str
    is_open: bool
    is_archived: bool
    last_seq: int
    unread: int
    partner: NotRequired[dict]


class RoomCreatedFrame(TypedDict):
    type: Literal["room.created"]
    room: RoomSummary


class RoomClosedFrame(TypedDict):
    type: Literal["room.closed"]
    room: int
    by: int | None


class RoomArchivedFrame(TypedDict):
    """A 1:1 room nobody wrote in for `idle_days` days became read-only for both (apps.chat.archive)."""

    type: Literal["room.archived"]
    room: int
    idle_days: int


class TypingNoticeFrame(TypedDict):
    type: Literal["typing"]
    room: int
    user: int
    expires_in_s: int


class PresenceFrame(TypedDict):
    type: Literal["presence"]
    user: int
    state: Literal["online", "away", "offline"]
    last_seen: int | None  # unix seconds


class ProfileUpdatedFrame(TypedDict):
    type: Literal["profile.updated"]
    user: int
    nickname: str
    photo_url: str | None


class ChatImageFrame(TypedDict):
    """Server → the sender's tabs: an image they sent to a 1:1 room will not arrive.

    Approved images need no frame of their own: they arrive as a `message.new` of kind "image".
    """

    type: Literal["chat.image"]
    room: int
    image: int
    status: Literal["rejected", "undeliverable"]


class DirectRoomUnread(TypedDict):
    unread: int  # messages from the partner after my read pointer
    last_seq: int


class UnreadSummaryFrame(TypedDict):
    """The Chats tab's badge: every 1:1 room's unread count. The client keeps it live from
    `message.new` (+1 from the partner) and read pointers (this tab's `message.read` or the
    reader's other tabs' receipts), and asks again after every (re)connect."""

    type: Literal["chat.unread"]
    total: int
    rooms: dict[str, DirectRoomUnread]  # room id → its counts


class RoomJoinedFrame(TypedDict):
    type: Literal["room.joined"]
    room: RoomSummary


INBOUND = (
    MessageSendFrame,
    ResumeFrame,
    MessageRangeFrame,
    MessageReadFrame,
    TypingFrame,
    PresenceSetFrame,
    LobbyChatJoinFrame,
    UnreadSyncFrame,
)
OUTBOUND = (
    MessageAckFrame,
    MessageNewFrame,
    MessageBatchFrame,
    RoomReloadFrame,
    ReadReceiptFrame,
    UnreadCountsFrame,
    RoomCreatedFrame,
    RoomClosedFrame,
    RoomArchivedFrame,
    RoomJoinedFrame,
    TypingNoticeFrame,
    PresenceFrame,
    ProfileUpdatedFrame,
    ChatImageFrame,
    UnreadSummaryFrame,
)
