"""Lobby frames: a tab showing an event lobby receives that event's live counts."""

from channels.db import database_sync_to_async

from apps.core.errors import DomainError
from apps.events import events, selectors, services
from apps.events.errors import ErrorCode
from apps.events.protocol import LobbyEnterFrame, LobbyLeaveFrame
from apps.realtime.auth import pooled_sync_to_async
from apps.realtime.protocol import event_group
from apps.realtime.registry import frame_handler, on_disconnect, on_heartbeat


def _lobby_event_ids(consumer) -> list[int]:
    return [int(group.split(".", 1)[1]) for group in consumer.groups_joined if group.startswith("event.")]


@frame_handler("lobby.enter", schema=LobbyEnterFrame)
async def lobby_enter(consumer, frame: LobbyEnterFrame) -> None:
    event_id = frame["event"]
    event = await database_sync_to_async(selectors.event_get)(event_id=event_id)
    if event is None:
        raise DomainError(ErrorCode.EVENT_NOT_FOUND, "No such event.")
    await consumer.join_group(event_group(event_id))
    await database_sync_to_async(services.lobby_presence_touch)(user_id=consumer.user_id, event_id=event_id)
    counts = await database_sync_to_async(selectors.lobby_counts)(event_id=event_id)
    await consumer.send_frame(events.lobby_counts_frame(event_id=event_id, counts=counts))


@frame_handler("lobby.leave", schema=LobbyLeaveFrame)
async def lobby_leave(consumer, frame: LobbyLeaveFrame) -> None:
    event_id = frame["event"]
    await consumer.leave_group(event_group(event_id))
    await database_sync_to_async(services.lobby_presence_leave)(user_id=consumer.user_id, event_id=event_id)


@on_heartbeat
async def lobby_heartbeat(consumer) -> None:
    for event_id in _lobby_event_ids(consumer):
        await pooled_sync_to_async(services.lobby_presence_touch)(user_id=consumer.user_id, event_id=event_id)


@on_disconnect
async def lobby_disconnect(consumer) -> None:
    for event_id in _lobby_event_ids(consumer):
        await database_sync_to_async(services.lobby_presence_leave)(user_id=consumer.user_id, event_id=event_id)
