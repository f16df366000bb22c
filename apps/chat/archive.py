"""Idle 1:1 chats: a room nobody wrote in for CHAT_IDLE_ARCHIVE_DAYS becomes read-only for
both members and moves to their "보관된 대화" (archived chats) list."""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from apps.chat import events
from apps.chat.models import Room, RoomKind, RoomMember

# A room's last activity is its newest message (found through the (room, seq) unique index
# from the room's own last_seq), or its opening when nobody ever wrote. SKIP LOCKED leaves a
# room a sender holds right now to the next run: it is not idle.
_IDLE_ROOMS_SQL = """
SELECT r.id
  FROM chat_room r
  LEFT JOIN chat_message m ON m.room_id = r.id AND m.seq = r.last_seq
 WHERE r.kind = %(kind)s AND r.is_open AND COALESCE(m.sent_at, r.created_at) < %(cutoff)s
 ORDER BY r.id
 LIMIT %(limit)s
   FOR UPDATE OF r SKIP LOCKED
"""


def rooms_archive_idle(*, batch_size: int) -> int:
    """Archive every idle open 1:1 room, `batch_size` rooms per transaction; returns how many.

    Idempotent: an archived room is closed, so a second run (or a retried task) finds nothing.
    """
    cutoff = timezone.now() - timedelta(days=settings.CHAT_IDLE_ARCHIVE_DAYS)
    total = 0
    while True:
        archived = _archive_batch(cutoff=cutoff, limit=batch_size)
        total += archived
        if archived < batch_size:
            return total


@transaction.atomic
def _archive_batch(*, cutoff, limit: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_IDLE_ROOMS_SQL, {"kind": RoomKind.DIRECT, "cutoff": cutoff, "limit": limit})
        room_ids = [row[0] for row in cursor.fetchall()]
    if not room_ids:
        return 0
    now = timezone.now()
    Room.objects.filter(pk__in=room_ids).update(is_open=False, closed_at=now, archived_at=now)
    members: dict[int, list[int]] = {}
    for room_id, user_id in RoomMember.objects.filter(room_id__in=room_ids).values_list("room_id", "user_id"):
        members.setdefault(room_id, []).append(user_id)
    events.rooms_archived(member_ids_by_room=members, idle_days=settings.CHAT_IDLE_ARCHIVE_DAYS)
    return len(room_ids)
