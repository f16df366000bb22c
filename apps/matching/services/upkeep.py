"""Upkeep: the history flush to PostgreSQL and the reconciliation of Redis with PostgreSQL."""

import json
import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from apps.accounts.models import User
from apps.core.redis import get_redis
from apps.events.models import Event
from apps.matching import events, queue, selectors
from apps.matching.models import QueueTicket, TicketEvent
from apps.matching.services.answers import _own_match
from apps.matching.services.recording import record_matched
from apps.telemetry import metrics
from apps.telemetry.metrics import Metric

logger = logging.getLogger(__name__)

HISTORY_FLUSH_BATCH = 5000


def ticket_history_flush() -> int:
    """Copy history entries from Redis into PostgreSQL in bulk; idempotent thanks to the unique `seq`."""
    if not queue.acquire("mq:history:lock", ttl_ms=30_000):
        return 0
    try:
        raw = queue.history_batch(limit=HISTORY_FLUSH_BATCH)
        rows = []
        for entry in raw:
            seq, event_id, user_id, kind, at_ms, proposal_id, detail = entry.split("|")
            rows.append(
                TicketEvent(
                    seq=int(seq),
                    event_id=int(event_id),
                    user_id=int(user_id),
                    kind=kind,
                    detail=detail,
                    proposal_id=int(proposal_id) if proposal_id else None,
                    at=datetime.fromtimestamp(float(at_ms) / 1000, tz=UTC),
                )
            )
        # Entries of users or events deleted since would fail the whole batch on their foreign keys.
        live_users = set(User.objects.filter(pk__in={row.user_id for row in rows}).values_list("pk", flat=True))
        live_events = set(Event.objects.filter(pk__in={row.event_id for row in rows}).values_list("pk", flat=True))
        rows = [row for row in rows if row.user_id in live_users and row.event_id in live_events]
        TicketEvent.objects.bulk_create(rows, ignore_conflicts=True)
        queue.history_trim(count=len(raw))
        return len(raw)
    finally:
        queue.release("mq:history:lock")


def queues_reconcile() -> int:
    """Reconcile every event's queue; publish the repairs as matching's share of `reconcile_mismatches`.

    Returns how many differences were repaired (0 when Redis and PostgreSQL agreed).
    """
    repaired = 0
    for event_id in queue.event_ids_with_queue():
        report = queue_reconcile(event_id=event_id)
        repaired += _repairs(report)
    metrics.gauge_part_set(Metric.RECONCILE_MISMATCHES, "matching", repaired)
    return repaired


def _repairs(report: dict[str, int]) -> int:
    return report["requeued_orphans"] + report["rebucketed"] + report["finished_confirmed"] + report["stale_copies"]


def queue_reconcile(*, event_id: int) -> dict[str, int]:
    """Compare the Redis queue with PostgreSQL, repair what disagrees and report what was found.

    - a ticket whose proposal vanished or closed goes back to its place;
    - a waiting ticket missing from its bucket is put back;
    - a proposal confirmed in PostgreSQL but still open in Redis is finished;
    - a user with an active match in PostgreSQL who is also still proposed for it is finished;
    - a PostgreSQL copy of a ticket Redis no longer holds (a crash between the two) is removed
      and its student told (`queue.left`, `service_reset`).
    """
    report = {"tickets": 0, "requeued_orphans": 0, "rebucketed": 0, "finished_confirmed": 0, "stranded_pairs": 0}
    holders = queue.ticket_user_ids(event_id=event_id)
    report["stale_copies"] = _stale_copies_remove(event_id=event_id, holders=holders)
    for user_id in holders:
        report["tickets"] += 1
        action = queue.repair(event_id=event_id, user_id=user_id)
        if action == "requeued":
            report["requeued_orphans"] += 1
        elif action == "rebucketed":
            report["rebucketed"] += 1
        elif action.startswith("confirming:"):
            proposal_id = int(action.split(":", 1)[1])
            proposal = queue.proposal_get(proposal_id)
            pair = (int(proposal.get("a", 0)), int(proposal.get("b", 0)))
            if _own_match(proposal_id=proposal_id, user_ids=pair).exists():
                finished = queue.finish(proposal_id=proposal_id, matched=True)
                if finished:
                    report["finished_confirmed"] += 1
                    record_matched(event_id=event_id, finished=finished)
    event = Event.objects.filter(pk=event_id).first()
    if event is not None:
        report["stranded_pairs"] = len(
            selectors.stranded_pairs(event_id=event_id, allow_same_university=event.allow_same_university)
        )
    get_redis().set(f"mq:{event_id}:reconcile", json.dumps({"at": timezone.now().isoformat(), **report}), ex=86400)
    repaired = _repairs(report)
    if repaired:
        logger.warning("matching reconcile repaired event %s: %s", event_id, report)
    return report


def _stale_copies_remove(*, event_id: int, holders: set[int]) -> int:
    """PostgreSQL copies older than MATCHING_STALE_COPY_S whose ticket Redis does not hold: removed, students told."""
    marker = queue.state_read()
    if marker.epoch is None:
        return 0  # Redis lost its state: the restore, not reconciliation, deals with the copies
    cutoff = timezone.now() - timedelta(seconds=settings.MATCHING_STALE_COPY_S)
    stale = [
        user_id
        for user_id in QueueTicket.objects.filter(event_id=event_id, joined_at__lt=cutoff).values_list("user_id", flat=True)
        if user_id not in holders
    ]
    if stale:
        QueueTicket.objects.filter(event_id=event_id, user_id__in=stale).delete()
        for user_id in stale:
            events.queue_left(user_id=user_id, event_id=event_id, reason="service_reset")
    return len(stale)
