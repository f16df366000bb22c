"""Queue and match frames on the shared gateway; each handler validates and calls one service.

The services run on the socket pool (`pooled_sync_to_async`), not on channels' single
thread-sensitive thread: that thread also serves every sync HTTP view of the process (the load
balancer's /readyz among them), and at 2,000 students joining (`make bench-cluster`) a backlog
of joins there failed health checks and delayed every socket's frames behind them.
"""

from apps.matching import selectors, services
from apps.realtime.auth import pooled_sync_to_async
from apps.realtime.registry import connect_writer, frame_handler, on_disconnect
from apps.realtime.validation import require_int


@frame_handler("queue.join")
async def queue_join(consumer, frame: dict) -> None:
    event_id = require_int(frame, "event")
    status = await pooled_sync_to_async(services.queue_join)(user=consumer.scope["user"], event_id=event_id)
    await consumer.send_frame(status)


@frame_handler("queue.leave")
async def queue_leave(consumer, frame: dict) -> None:
    event_id = require_int(frame, "event")
    await pooled_sync_to_async(services.queue_leave)(user_id=consumer.user_id, event_id=event_id)


@frame_handler("queue.sync")
async def queue_sync(consumer, frame: dict) -> None:
    event_id = require_int(frame, "event")
    status = await pooled_sync_to_async(selectors.queue_status)(event_id=event_id, user_id=consumer.user_id)
    await consumer.send_frame(status)
    if status["state"] == "none":
        await pooled_sync_to_async(services.match_confirmation_replay)(user_id=consumer.user_id, event_id=event_id)


@frame_handler("match.accept")
async def match_accept(consumer, frame: dict) -> None:
    proposal_id = require_int(frame, "proposal")
    await pooled_sync_to_async(services.proposal_respond)(user_id=consumer.user_id, proposal_id=proposal_id, accept=True)


@frame_handler("match.decline")
async def match_decline(consumer, frame: dict) -> None:
    proposal_id = require_int(frame, "proposal")
    await pooled_sync_to_async(services.proposal_respond)(user_id=consumer.user_id, proposal_id=proposal_id, accept=False)


@connect_writer
def queue_reconnected(*, user_id: int, redis_writes) -> None:
    """Queued on the socket's shared connect pipeline (apps/realtime/consumers.py says why)."""
    services.queue_presence_back(user_id=user_id, pipe=redis_writes)


@on_disconnect
async def queue_disconnected(consumer) -> None:
    await pooled_sync_to_async(services.queue_presence_lost)(user_id=consumer.user_id)
