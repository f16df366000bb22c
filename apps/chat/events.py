"""The only place that builds chat frames and addresses them; everything leaves after commit."""

from typing import TYPE_CHECKING

from apps.chat.protocol import (
    ChatImageFrame,
    MessageAckFrame,
    MessageBatchFrame,
    PresenceFrame,
    RoomArchivedFrame,
    RoomJoinedFrame,
    RoomReloadFrame,
    UnreadSummaryFrame,
)
from apps.realtime.events import send_many, send_to_groups, send_to_users, send_to_users_from_loop
from apps.realtime.protocol import room_group, user_group

if TYPE_CHECKING:
    from apps.chat.selectors import Replay
    from apps.chat.send import SendResult


def write_batch_frames(*, messages: list[tuple[dict, str | None]], reads: list[tuple[int, int, int, bool, str | None]]) -> None:
    """All frames of one group-committed batch leave together, in one hop to the event loop.

    Each stored message goes to its room (one group_send per message, whatever the room's
    size) except the socket that sent it, whose ack carries the message; each read pointer
    to the room for 1:1 rooms, to the reader's own tabs in lobbies, except the socket that read.
    """
    pairs = [([room_group(message["room"])], {"type": "message.new", **message}, origin) for message, origin in messages]
    pairs += [
        (
            [room_group(room_id) if to_room else user_group(user_id)],
            {"type": "message.read", "room": room_id, "user": user_id, "seq": seq},
            origin,
        )
        for room_id, user_id, seq, to_room, origin in reads
    ]
    send_many(pairs)


def unread_counts(*, room_id: int, counts: dict[int, int]) -> None:
    frame = {"type": "room.unread_counts", "room": room_id, "counts": {str(seq): n for seq, n in counts.items()}}
    send_to_groups([room_group(room_id)], frame)


def room_created(*, user_summaries: dict[int, dict]) -> None:
    send_many(([user_group(user_id)], {"type": "room.created", "room": summary}) for user_id, summary in user_summaries.items())


def rooms_created(*, user_summaries: dict[int, list[dict]]) -> None:
    """`room.created` for many rooms at once, in one hand-over to the publisher."""
    send_many(
        ([user_group(user_id)], {"type": "room.created", "room": summary})
        for user_id, summaries in user_summaries.items()
        for summary in summaries
    )


def rooms_closed(*, member_ids_by_room: dict[int, list[int]]) -> None:
    """`room.closed` for many rooms at once (by nobody: a round's deadline), in one hand-over."""
    send_many(
        (
            [room_group(room_id), *(user_group(user_id) for user_id in member_ids)],
            {"type": "room.closed", "room": room_id, "by": None},
        )
        for room_id, member_ids in member_ids_by_room.items()
    )


def rooms_archived(*, member_ids_by_room: dict[int, list[int]], idle_days: int) -> None:
    """`room.archived` to the room and its members' tabs, for a batch of idle rooms, in one hand-over."""
    frames = []
    for room_id, member_ids in member_ids_by_room.items():
        frame: RoomArchivedFrame = {"type": "room.archived", "room": room_id, "idle_days": idle_days}
        frames.append(([room_group(room_id), *(user_group(user_id) for user_id in member_ids)], frame))
    send_many(frames)


def room_closed(*, room_id: int, member_ids: list[int], by_user_id: int | None) -> None:
    frame = {"type": "room.closed", "room": room_id, "by": by_user_id}
    send_to_groups([room_group(room_id), *(user_group(user_id) for user_id in member_ids)], frame)


def typing(*, room_id: int, user_id: int, expires_in_s: int) -> None:
    send_to_groups([room_group(room_id)], {"type": "typing", "room": room_id, "user": user_id, "expires_in_s": expires_in_s})


def presence_changed(*, partner_ids: list[int], state: dict) -> None:
    send_to_users(partner_ids, state)


def presence_changed_from_loop(*, partner_ids: list[int], state: dict) -> None:
    """The same frame from a socket's connect on the event loop (no transaction there)."""
    send_to_users_from_loop(partner_ids, state)


def profile_updated(*, room_ids: list[int], user_id: int, nickname: str, photo_url: str | None) -> None:
    frame = {"type": "profile.updated", "user": user_id, "nickname": nickname, "photo_url": photo_url}
    send_to_groups([room_group(room_id) for room_id in room_ids], frame)


def chat_image_refused(*, owner_id: int, room_id: int, image_id: int, status: str) -> None:
    """Only the sender's tabs hear that an image they sent will not arrive."""
    frame: ChatImageFrame = {"type": "chat.image", "room": room_id, "image": image_id, "status": status}
    send_to_users([owner_id], frame)


# Frames answering one socket (the consumer sends them) -------------------------------------


def message_ack_frame(result: "SendResult") -> MessageAckFrame:
    """The sender's ack: the stored message rides along (absent for a duplicate: it went out before)."""
    frame: MessageAckFrame = {
        "type": "message.ack",
        "room": result.room_id,
        "client_msg_id": result.client_msg_id,
        "seq": result.seq,
        "sent_at": result.sent_at.isoformat(),
        "duplicate": result.duplicate,
    }
    if result.message is not None:
        frame["message"] = result.message
    return frame


def replay_frame(*, room_id: int, replay: "Replay") -> MessageBatchFrame | RoomReloadFrame:
    """Everything missing in one batch, or a reload notice when it is too much."""
    if replay.messages is None:
        return {"type": "room.reload", "room": room_id, "last_seq": replay.last_seq, "partner_read_seq": replay.partner_read_seq}
    return {
        "type": "message.batch",
        "messages": replay.messages,
        "room": room_id,
        "last_seq": replay.last_seq,
        "partner_read_seq": replay.partner_read_seq,
    }


def unread_summary_frame(*, rooms: dict[int, tuple[int, int]]) -> UnreadSummaryFrame:
    return {
        "type": "chat.unread",
        "total": sum(unread for unread, _last_seq in rooms.values()),
        "rooms": {str(room_id): {"unread": unread, "last_seq": last_seq} for room_id, (unread, last_seq) in rooms.items()},
    }


def room_joined_frame(*, summary: dict) -> RoomJoinedFrame:
    return {"type": "room.joined", "room": summary}


def presence_frame(*, user_id: int, state: str, last_seen: int | None) -> PresenceFrame:
    return {"type": "presence", "user": user_id, "state": state, "last_seen": last_seen}
