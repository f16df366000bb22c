"""Check-in and answer frames on the shared gateway; each handler validates and calls one service."""

from channels.db import database_sync_to_async

from apps.realtime.auth import pooled_sync_to_async
from apps.realtime.registry import frame_handler, on_disconnect
from apps.realtime.validation import require_int, require_str
from apps.rounds import selectors, services


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
