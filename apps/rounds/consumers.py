"""Check-in, answer and organizer-console frames on the shared gateway; each handler calls one
service (the gateway has checked the frame against its TypedDict in apps/rounds/protocol.py)."""

from channels.db import database_sync_to_async

from apps.realtime.auth import pooled_sync_to_async
from apps.realtime.registry import frame_handler, on_disconnect
from apps.rounds import console, selectors, services
from apps.rounds.protocol import (
    ConsoleActionFrame,
    ConsoleSubscribeFrame,
    RoundAnswerFrame,
    RoundCheckinFrame,
    RoundSyncFrame,
    console_group,
)


@frame_handler("round.checkin", schema=RoundCheckinFrame)
async def round_checkin(consumer, frame: RoundCheckinFrame) -> None:
    event_id = frame["event"]
    await consumer.send_frame(await database_sync_to_async(services.checkin)(user=consumer.scope["user"], event_id=event_id))


@frame_handler("round.leave", schema=RoundCheckinFrame)
async def round_leave(consumer, frame: RoundCheckinFrame) -> None:
    event_id = frame["event"]
    await consumer.send_frame(await database_sync_to_async(services.checkin_leave)(user_id=consumer.user_id, event_id=event_id))


@frame_handler("round.answer", schema=RoundAnswerFrame)
async def round_answer(consumer, frame: RoundAnswerFrame) -> None:
    reply = await database_sync_to_async(services.round_answer)(
        user_id=consumer.user_id, round_id=frame["round"], answer=frame["answer"]
    )
    await consumer.send_frame(reply)


@frame_handler("round.sync", schema=RoundSyncFrame)
async def round_sync(consumer, frame: RoundSyncFrame) -> None:
    query = {"room_id": frame["room"]} if "room" in frame else {"event_id": frame["event"]}
    await consumer.send_frame(await database_sync_to_async(selectors.round_state)(user_id=consumer.user_id, **query))


@on_disconnect
async def round_partner_gone(consumer) -> None:
    await pooled_sync_to_async(services.seated_socket_closed)(user_id=consumer.user_id, channel_name=consumer.channel_name)


@frame_handler("console.subscribe", schema=ConsoleSubscribeFrame)
async def console_subscribe(consumer, frame: ConsoleSubscribeFrame) -> None:
    """Staff only: join the event's console group and get its state at once."""
    event_id = frame["event"]
    state = await database_sync_to_async(console.console_snapshot)(user_id=consumer.user_id, event_id=event_id)
    for group in [group for group in consumer.groups_joined if group.startswith("rounds.console.")]:
        await consumer.leave_group(group)
    await consumer.join_group(console_group(event_id))
    await consumer.send_frame(state)


@frame_handler("console.action", schema=ConsoleActionFrame)
async def console_action(consumer, frame: ConsoleActionFrame) -> None:
    reply = await database_sync_to_async(console.console_act)(
        staff_id=consumer.user_id,
        event_id=frame["event"],
        action=frame["action"],
        round_id=frame.get("round"),
        version=frame.get("version"),
    )
    await consumer.send_frame(reply)
