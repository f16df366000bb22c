"""PostgreSQL's copy of the live queue (QueueTicket): who waits in which event and since when.

Every service that puts a ticket in Redis or takes one out keeps this copy in step, so a
Redis that lost its state can be refilled from it (apps/matching/services/restore.py).
"""

from datetime import UTC, datetime

from django.db import connection

from apps.matching import queue
from apps.matching.models import QueueTicket


def ms_to_datetime(ms: float) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def datetime_to_ms(at: datetime) -> float:
    return round(at.timestamp() * 1000, 3)


def ticket_record(*, snapshot: queue.TicketSnapshot, joined_ms: float) -> None:
    """Write (or overwrite a stale) copy of the ticket; the caller's transaction also holds the Redis enqueue.

    The transaction commits without waiting for the WAL flush (synchronous_commit off: 0.7 ms
    instead of 3-8 ms a join on the bench machine). The copy matters only if Redis loses its
    state; only a PostgreSQL crash within the same fraction of a second could also lose it.
    """
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
    QueueTicket.objects.bulk_create(
        [
            QueueTicket(
                event_id=snapshot.event_id,
                user_id=snapshot.user_id,
                joined_at=ms_to_datetime(joined_ms),
                snapshot=snapshot.to_json(),
            )
        ],
        update_conflicts=True,
        unique_fields=["event", "user"],
        update_fields=["joined_at", "snapshot"],
    )


def ticket_records_delete(*, event_id: int, user_ids: list[int]) -> int:
    """The tickets left the queue (matched, left, declined, timed out); returns how many copies there were."""
    deleted, _ = QueueTicket.objects.filter(event_id=event_id, user_id__in=user_ids).delete()
    return deleted
