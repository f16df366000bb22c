"""Queue and match frames on the shared gateway; each handler calls one service (the gateway
has checked the frame against its TypedDict in apps/matching/protocol.py).

The services run on the socket pool (`pooled_sync_to_async`), not on channels' single
thread-sensitive thread: that thread also serves every sync HTTP view of the process (the load
balancer's /readyz among them), and at 2,000 students joining (`make bench-cluster`) a backlog
of joins there failed health checks and delayed every socket's frames behind them.
"""

from apps.matching import selectors, services
from apps.matching.protocol import MatchAnswerFrame, QueueJoinFrame, QueueLeaveFrame, QueueSyncFrame
from apps.realtime.auth import pooled_sync_to_async
from apps.realtime.registry import connect_writer, frame_handler, on_disconnect


@frame_handler("queue.join", schema=QueueJoinFrame)
async def queue_join(consumer, frame: QueueJoinFrame) -> None:
    event_id = frame["event"]
    status = await pooled_sync_to_async(services.queue_join)(user=consumer.scope["user"], event_id=event_id)
    await consumer.send_frame(status)


@frame_handler("queue.leave", schema=QueueLeaveFrame)
async def queue_leave(consumer, frame: QueueLeaveFrame) -> None:
    event_id = frame["event"]
    await pooled_sync_to_async(services.queue_leave)(user_id=consumer.user_id, event_id=event_id)


@frame_handler("queue.sync", schema=QueueSyncFrame)
async def queue_sync(consumer, frame: QueueSyncFrame) -> None:
    event_id = frame["event"]
    status = await pooled_sync_to_async(selectors.queue_status)(event_id=event_id, user_id=consumer.user_id)
    await consumer.send_frame(status)
    if status["state"] == "none":
        await pooled_sync_to_async(services.match_confirmation_replay)(user_id=consumer.user_id, event_id=event_id)


@frame_handler("match.accept", schema=MatchAnswerFrame)
async def match_accept(consumer, frame: MatchAnswerFrame) -> None:
    proposal_id = frame["proposal"]
    await pooled_sync_to_async(services.proposal_respond)(user_id=consumer.user_id, proposal_id=proposal_id, accept=True)


@frame_handler("match.decline", schema=MatchAnswerFrame)
async def match_decline(consumer, frame: MatchAnswerFrame) -> None:
    proposal_id = frame["proposal"]
    await pooled_sync_to_async(services.proposal_respond)(user_id=consumer.user_id, proposal_id=proposal_id, accept=False)


@connect_writer
def queue_reconnected(*, user_id: int, redis_writes) -> None:
    """Queued on the socket's shared connect pipeline (apps/realtime/consumers.py says why)."""
    services.queue_presence_back(user_id=user_id, pipe=redis_writes)


@on_disconnect
async def queue_disconnected(consumer) -> None:
    await pooled_sync_to_async(services.queue_presence_lost)(user_id=consumer.user_id)
