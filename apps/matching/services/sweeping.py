"""The sweep: reaping leases, graces and overlong waits, deep pairing, queue depth, closing a queue."""

from django.conf import settings

from apps.core.errors import DomainError
from apps.events.models import Event
from apps.matching import events, queue, selectors
from apps.matching.services.answers import proposal_expire
from apps.matching.services.joining import queue_leave
from apps.matching.services.pairing import proposals_announce
from apps.realtime import presence
from apps.telemetry import metrics
from apps.telemetry.metrics import Metric


def queue_sweep(*, event_id: int) -> dict[str, int]:
    """One pass over an event's queue: reap leases, end graces and overlong waits, pair what scans missed.

    Safe with any number of concurrent sweeps: every change is an atomic script that re-checks state.
    """
    event = Event.objects.filter(pk=event_id).first()
    if event is None or not event.is_live:
        return {"closed": queue_close(event_id=event_id)}
    report = {"expired": 0, "disconnected": 0, "max_wait": 0, "paired": 0}
    for proposal_id in queue.expired_proposal_ids(event_id=event_id):
        if proposal_expire(event_id=event_id, proposal_id=proposal_id) not in ("alive", "gone"):
            report["expired"] += 1
    for user_id in queue.gone_expired(event_id=event_id):
        queue.clear_gone(event_id=event_id, user_id=user_id)
        if not presence.user_is_online(user_id=user_id):
            report["disconnected"] += queue_leave(user_id=user_id, event_id=event_id, reason="disconnected") == "left"
    oldest_allowed = queue.now_ms() - event.max_wait_s * 1000
    for user_id, _g, _s, score in queue.waiting(event_id=event_id):
        if score >= oldest_allowed:
            break
        report["max_wait"] += queue_leave(user_id=user_id, event_id=event_id, reason="max_wait") == "left"
    report["paired"] = proposals_announce(proposals=queue.sweep(event_id=event_id))
    if queue.acquire(f"mq:{event_id}:status-lock", ttl_ms=int(settings.MATCHING_STATUS_INTERVAL_S * 1000) - 200):
        events.queue_statuses(frames=selectors.queue_statuses(event_id=event_id))
    return report


def queue_depth_publish(*, event_ids: list[int]) -> dict[int, dict[str, int]]:
    """Set the `queue_depth` gauges (dims g:M / g:F) of these events and of `all` from the buckets.

    The sweep calls this every second with every event that has a queue: two round trips in
    all, and the gauges always come from the truth in Redis rather than from counted moves.
    """
    depths = queue.waiting_by_gender(event_ids=event_ids)
    totals = dict.fromkeys(queue.GENDERS, 0)
    for event_id, depth in depths.items():
        metrics.gauges_set({f"{Metric.QUEUE_DEPTH}|g:{gender}": n for gender, n in depth.items()}, event_id=event_id)
        for gender, n in depth.items():
            totals[gender] += n
    metrics.gauges_set({f"{Metric.QUEUE_DEPTH}|g:{gender}": n for gender, n in totals.items()})
    return depths


def queue_close(*, event_id: int) -> int:
    """The event is over: everyone still queued is told and removed."""
    closed = 0
    for user_id in queue.ticket_user_ids(event_id=event_id):
        try:
            closed += queue_leave(user_id=user_id, event_id=event_id, reason="event_ended") == "left"
        except DomainError:
            continue  # a match being confirmed finishes on its own lease
    if not queue.ticket_user_ids(event_id=event_id):
        queue.forget_event(event_id=event_id)
        # The sweep publishes depths only for events with a queue: zero this one's for good.
        queue_depth_publish(event_ids=[event_id])
    return closed
