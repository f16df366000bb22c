"""Queue and match frames on the shared gateway; each handler validates and calls one service."""

from channels.db import database_sync_to_async

from apps.matching import selectors, services
from apps.realtime.registry import frame_handler, on_connect, on_disconnect
from apps.realtime.validation import require_int


@frame_handler("queue.join")
async def queue_join(consumer, frame: dict) -> None:
    event_id = require_int(frame, "event")
    status = await database_sync_to_async(services.queue_join)(user=consumer.scope["user"], event_id=event_id)
    await consumer.send_frame(status)


@frame_handler("queue.leave")
async def queue_leave(consumer, frame: dict) -> None:
    event_id = require_int(frame, "event")
    await database_sync_to_async(services.queue_leave)(user_id=consumer.user_id, event_id=event_id)


@frame_handler("queue.sync")
async def queue_sync(consumer, frame: dict) -> None:
    event_id = require_int(frame, "event")
    await consumer.send_frame(await database_sync_to_async(selectors.queue_status)(event_id=event_id, user_id=consumer.user_id))


@frame_handler("match.accept")
async def match_accept(consumer, frame: dict) -> None:
    proposal_id = require_int(frame, "proposal")
    await database_sync_to_async(services.proposal_respond)(user_id=consumer.user_id, proposal_id=proposal_id, accept=True)


@frame_handler("match.decline")
async def match_decline(consumer, frame: dict) -> None:
    proposal_id = require_int(frame, "proposal")
    await database_sync_to_async(services.proposal_respond)(user_id=consumer.user_id, proposal_id=proposal_id, accept=False)


@on_connect
async def queue_reconnected(consumer) -> None:
    await database_sync_to_async(services.queue_presence_back)(user_id=consumer.user_id)


@on_disconnect
async def queue_disconnected(consumer) -> None:
    await database_sync_to_async(services.queue_presence_lost)(user_id=consumer.user_id)
