"""Chat frames on the shared `/ws/` gateway: call a service, answer the socket (the gateway
has checked each frame against its TypedDict in apps/chat/protocol.py).

On connect a socket joins `room.<id>` for each of the user's open rooms (one group per
room, so a lobby message is one group_send however many members it has) and learns its
partners' presence. Everything else is a frame handler.
"""

from django.utils.translation import gettext as _

from apps.chat import events, selectors
from apps.chat import presence as chat_presence
from apps.chat import receipts as chat_receipts
from apps.chat import rooms as chat_rooms
from apps.chat import send as chat_send
from apps.chat.batching import get_batcher
from apps.chat.protocol import (
    ErrorCode,
    LobbyChatJoinFrame,
    MessageRangeFrame,
    MessageReadFrame,
    MessageSendFrame,
    PresenceSetFrame,
    ResumeFrame,
    TypingFrame,
    UnreadSyncFrame,
)
from apps.core.errors import DomainError
from apps.realtime import registry
from apps.realtime.auth import pooled_sync_to_async
from apps.realtime.protocol import room_group


@registry.connect_loader("chat")
def chat_connect_data(*, user_id: int) -> dict:
    """Runs in the socket's single connect hop: rooms, partners, and everyone's presence."""
    room_ids, partner_ids = selectors.rooms_for_connect(user_id=user_id)
    states = chat_presence.presence_states(user_ids=[user_id, *partner_ids]) if partner_ids else []
    return {"room_ids": room_ids, "partner_ids": partner_ids, "states": states}


@registry.on_connect
async def chat_connect(consumer) -> None:
    data = consumer.connect_data["chat"]
    consumer.chat_partner_ids = data["partner_ids"]
    for room_id in data["room_ids"]:
        await consumer.join_group(room_group(room_id))
    if data["states"]:
        own_state, *partner_states = data["states"]
        events.presence_changed_from_loop(partner_ids=data["partner_ids"], state=own_state)
        for state in partner_states:
            await consumer.send_frame(state)


@registry.on_disconnect
async def chat_disconnect(consumer) -> None:
    partner_ids = getattr(consumer, "chat_partner_ids", [])
    if partner_ids:
        await pooled_sync_to_async(chat_presence.presence_socket_closing)(
            user_id=consumer.user_id, channel_name=consumer.channel_name, partner_ids=partner_ids
        )


@registry.frame_handler("message.send", schema=MessageSendFrame)
async def message_send(consumer, frame: MessageSendFrame) -> None:
    request = chat_send.SendRequest(
        sender_id=consumer.user_id,
        room_id=frame["room"],
        client_msg_id=frame["client_msg_id"],
        body=frame["body"],
        sender_is_staff=bool(consumer.scope["user"].is_staff),
        origin_channel=consumer.channel_name,
    )
    result = await get_batcher().submit(request)
    await consumer.send_frame(events.message_ack_frame(result))


@registry.frame_handler("message.read", schema=MessageReadFrame)
async def message_read(consumer, frame: MessageReadFrame) -> None:
    request = chat_receipts.ReadRequest(consumer.user_id, frame["room"], frame["seq"], origin_channel=consumer.channel_name)
    await get_batcher().submit(request)


@registry.frame_handler("resume", schema=ResumeFrame)
async def resume(consumer, frame: ResumeFrame) -> None:
    wanted = {int(key): last_seq for key, last_seq in frame["rooms"].items()}
    member_rooms = await pooled_sync_to_async(selectors.member_room_ids)(user_id=consumer.user_id, room_ids=list(wanted))
    if member_rooms - {int(g.split(".")[1]) for g in consumer.groups_joined if g.startswith("room.")}:
        # A room created since connect (a new match): its partner's presence matters now.
        consumer.chat_partner_ids = await pooled_sync_to_async(selectors.chat_partner_ids)(user_id=consumer.user_id)
    for room_id in sorted(wanted):
        if room_id not in member_rooms:
            await consumer.send_error(
                ErrorCode.NOT_MEMBER, _("You are not a member of this chat room."), ref=frame.get("ref"), room=room_id
            )
            continue
        # Join first, read second: whatever commits after the read arrives live.
        await consumer.join_group(room_group(room_id))
        await _replay(consumer, room_id=room_id, after_seq=wanted[room_id], until_seq=None)


@registry.frame_handler("message.range", schema=MessageRangeFrame)
async def message_range(consumer, frame: MessageRangeFrame) -> None:
    room_id, after_seq, until_seq = frame["room"], frame["after_seq"], frame["until_seq"]
    if until_seq <= after_seq:
        raise DomainError(ErrorCode.BAD_RANGE, _("'until_seq' must be greater than 'after_seq'."), field="until_seq")
    await _replay(consumer, room_id=room_id, after_seq=after_seq, until_seq=until_seq)


async def _replay(consumer, *, room_id: int, after_seq: int, until_seq: int | None) -> None:
    """Everything missing in one batch, or a reload notice (never a partial recovery); a
    socket that is not a member of the room gets `not_member`."""
    replay = await pooled_sync_to_async(selectors.replay_for_member)(
        user_id=consumer.user_id, room_id=room_id, after_seq=after_seq, until_seq=until_seq
    )
    await consumer.send_frame(events.replay_frame(room_id=room_id, replay=replay))


@registry.frame_handler("typing", schema=TypingFrame)
async def typing(consumer, frame: TypingFrame) -> None:
    await pooled_sync_to_async(chat_presence.typing_notify)(
        user_id=consumer.user_id, room_id=frame["room"], is_staff=bool(consumer.scope["user"].is_staff)
    )


@registry.frame_handler("presence.set", schema=PresenceSetFrame)
async def presence_set(consumer, frame: PresenceSetFrame) -> None:
    await pooled_sync_to_async(chat_presence.presence_set)(
        user_id=consumer.user_id,
        state=frame["state"],
        partner_ids=getattr(consumer, "chat_partner_ids", []),
    )


@registry.frame_handler("room.join_lobby", schema=LobbyChatJoinFrame)
async def room_join_lobby(consumer, frame: LobbyChatJoinFrame) -> None:
    room = await pooled_sync_to_async(chat_rooms.lobby_room_join)(user=consumer.scope["user"], event_id=frame["event"])
    summary = await pooled_sync_to_async(selectors.room_view_for_user)(user_id=consumer.user_id, room_id=room.pk)
    await consumer.join_group(room_group(room.pk))
    await consumer.send_frame(events.room_joined_frame(summary=summary))


@registry.frame_handler("chat.unread_sync", schema=UnreadSyncFrame)
async def unread_sync(consumer, frame: UnreadSyncFrame) -> None:
    rooms = await pooled_sync_to_async(selectors.unread_by_direct_room)(user_id=consumer.user_id)
    await consumer.send_frame(events.unread_summary_frame(rooms=rooms))
