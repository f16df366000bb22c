"""Gateway hooks that record presence metrics, and the staff-only dashboard frames."""

from channels.db import database_sync_to_async

from apps.dashboard import services
from apps.dashboard.protocol import DashboardSubscribeFrame, DashboardUnsubscribeFrame, dashboard_group
from apps.realtime.auth import pooled_sync_to_async
from apps.realtime.registry import connect_writer, frame_handler, heartbeat_writer, on_disconnect

DASHBOARD_GROUP_PREFIX = "dashboard."


@connect_writer
def metrics_on_connect(*, user_id: int, redis_writes) -> None:
    """Runs inside the socket's single connect hop (apps/realtime/auth.py says why)."""
    services.socket_opened(user_id=user_id, pipe=redis_writes)


@heartbeat_writer
def metrics_on_heartbeat(*, user_id: int, redis_writes) -> None:
    services.socket_heartbeat(user_id=user_id, pipe=redis_writes)


@on_disconnect
async def metrics_on_disconnect(consumer) -> None:
    await pooled_sync_to_async(services.socket_closing)(user_id=consumer.user_id, channel_name=consumer.channel_name)


async def _leave_dashboards(consumer) -> None:
    for group in [group for group in consumer.groups_joined if group.startswith(DASHBOARD_GROUP_PREFIX)]:
        await consumer.leave_group(group)


@frame_handler("dashboard.subscribe", schema=DashboardSubscribeFrame)
async def dashboard_subscribe(consumer, frame: DashboardSubscribeFrame) -> None:
    event_id = frame.get("event")
    await database_sync_to_async(services.dashboard_require_viewer)(user_id=consumer.user_id, event_id=event_id)
    await _leave_dashboards(consumer)
    await consumer.join_group(dashboard_group(event_id))
    await consumer.send_frame(await database_sync_to_async(services.dashboard_last_frame)(event_id=event_id))


@frame_handler("dashboard.unsubscribe", schema=DashboardUnsubscribeFrame)
async def dashboard_unsubscribe(consumer, frame: DashboardUnsubscribeFrame) -> None:
    await _leave_dashboards(consumer)
