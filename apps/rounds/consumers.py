"""Check-in, answer and organizer-console frames on the shared gateway; each handler validates and calls one service."""

from channels.db import database_sync_to_async

from apps.realtime.auth import pooled_sync_to_async
from apps.realtime.registry import frame_handler, on_disconnect
from apps.realtime.validation import require_int, require_str
from apps.rounds import console, selectors, services
from apps.rounds.protocol import console_group


@frame_handler("round.checkin")
async def round_checkin(consumer, frame: dict) -> None:
    event_id = require_int(frame, "event")
    await consumer.send_frame(await database_sync_to_async(services.checkin)(user=consumer.scope["user"], event_id=event_id))


@frame_handler("round.leave")
async def round_leave(consumer, frame: dict) -> None:
    event_id = require_int(frame, "event")
    await consumer.send_frame(await database_sync_to_async(services.checkin_leave)(user_id=consumer.user_id, event_id=event_id))


@frame_handler("round.answer")
async def round_answer(consumer, frame: dict) -> None:
    round_id = require_int(frame, "round")
    answer = require_str(frame, "answer", max_length=3)
    reply = await database_sync_to_async(services.round_answer)(user_id=consumer.user_id, round_id=round_id, answer=answer)
    await consumer.send_frame(reply)


@frame_handler("round.sync")
async def round_sync(consumer, frame: dict) -> None:
    query = {"room_id": require_int(frame, "room")} if "room" in frame else {"event_id": require_int(frame, "event")}
    await consumer.send_frame(await database_sync_to_async(selectors.round_state)(user_id=consumer.user_id, **query))


@on_disconnect
async def round_partner_gone(consumer) -> None:
    await pooled_sync_to_async(services.seated_socket_closed)(user_id=consumer.user_id, channel_name=consumer.channel_name)


@frame_handler("console.subscribe")
async def console_subscribe(consumer, frame: dict) -> None:
    """Staff only: join the event's console group and get its state at once."""
    event_id = require_int(frame, "event")
    state = await database_sync_to_async(console.console_snapshot)(user_id=consumer.user_id, event_id=event_id)
    for group in [group for group in consumer.groups_joined if group.startswith("rounds.console.")]:
        await consumer.leave_group(group)
    await consumer.join_group(console_group(event_id))
    await consumer.send_frame(state)


@frame_handler("console.action")
async def console_action(consumer, frame: dict) -> None:
    reply = await database_sync_to_async(console.console_act)(
        staff_id=consumer.user_id,
        event_id=require_int(frame, "event"),
        action=require_str(frame, "action", max_length=10),
        round_id=None if frame.get("round") is None else require_int(frame, "round"),
        version=None if frame.get("version") is None else require_int(frame, "version"),
    )
    await consumer.send_frame(reply)
