"""Read receipts: the read-pointer statements of the chat's write batch, and the lobby's
per-message unread counts pushed by Celery beat."""

from dataclasses import dataclass

from django.conf import settings

from apps.chat import events, selectors
from apps.chat.models import RoomKind
from apps.core.db import PreparedCursor
from apps.core.errors import DomainError
from apps.core.redis import get_redis

LOBBY_UNREAD_DIRTY_KEY = "chat:lobby_unread_dirty"


_READ_SQL = """
UPDATE chat_roommember m SET last_read_seq = LEAST(v.seq, r.last_seq)
  FROM unnest(%(rooms)s::bigint[], %(users)s::bigint[], %(seqs)s::bigint[]) AS v(room_id, user_id, seq), chat_room r
 WHERE m.room_id = v.room_id AND m.user_id = v.user_id AND r.id = m.room_id
   AND m.room_id = ANY(%(rooms)s::bigint[]) AND r.id = ANY(%(rooms)s::bigint[])
   AND m.last_read_seq < LEAST(v.seq, r.last_seq)
RETURNING m.room_id, m.user_id, m.last_read_seq, r.kind
"""


@dataclass(frozen=True)
class ReadRequest:
    user_id: int
    room_id: int
    seq: int
    # The socket that read: the receipt goes to the room's other sockets only.
    origin_channel: str | None = None


def queue_reads(cursor: PreparedCursor, requests: list[ReadRequest]) -> dict[tuple[int, int], ReadRequest]:
    """Move every read pointer of the batch in one statement (read by apply_reads); return
    the furthest request of each (room, user)."""
    if not requests:
        return {}
    # One row per (room, user): an UPDATE … FROM joins each target row once.
    furthest: dict[tuple[int, int], ReadRequest] = {}
    for request in requests:
        key = (request.room_id, request.user_id)
        if key not in furthest or request.seq > furthest[key].seq:
            furthest[key] = request
    keys = sorted(furthest)
    cursor.execute(
        _READ_SQL, {"rooms": [k[0] for k in keys], "users": [k[1] for k in keys], "seqs": [furthest[k].seq for k in keys]}
    )
    return furthest


def apply_reads(
    requests: list[ReadRequest],
    furthest: dict[tuple[int, int], ReadRequest],
    cursor: PreparedCursor,
    receipts: list[tuple[int, int, int, bool, str | None]],
) -> list[int | DomainError]:
    """Each read request's new pointer (unchanged when it would not move forward) or a
    DomainError; the pointers that moved are added to `receipts`."""
    if not requests:
        return []
    moved = {(room_id, user_id): (seq, kind) for room_id, user_id, seq, kind in cursor.fetchall()}
    pointers = {key: seq for key, (seq, _kind) in moved.items()}
    unmoved = [key for key in sorted(furthest) if key not in moved]
    if unmoved:
        cursor.execute(
            "SELECT m.room_id, m.user_id, m.last_read_seq FROM chat_roommember m"
            " JOIN unnest(%s::bigint[], %s::bigint[]) AS v(room_id, user_id)"
            " ON m.room_id = v.room_id AND m.user_id = v.user_id",
            [[k[0] for k in unmoved], [k[1] for k in unmoved]],
        )
        pointers.update({(room_id, user_id): seq for room_id, user_id, seq in cursor.fetchall()})
    dirty_lobbies = set()
    for (room_id, user_id), (seq, kind) in sorted(moved.items()):
        receipts.append((room_id, user_id, seq, kind == RoomKind.DIRECT, furthest[(room_id, user_id)].origin_channel))
        if kind == RoomKind.LOBBY:
            dirty_lobbies.add(room_id)
    if dirty_lobbies:
        # A flag left by a rolled-back batch only costs one needless recount.
        get_redis().sadd(LOBBY_UNREAD_DIRTY_KEY, *dirty_lobbies)
    results: list[int | DomainError] = []
    for request in requests:
        pointer = pointers.get((request.room_id, request.user_id))
        if pointer is None:
            pointer = selectors.not_member_error()
        results.append(pointer)
    return results


def lobby_unread_broadcast() -> int:
    """Push fresh per-message unread counts of the recent messages of lobbies whose readers moved.

    Run by Celery beat every few seconds: one frame per lobby room, however many read.
    """
    client = get_redis()
    room_ids = client.spop(LOBBY_UNREAD_DIRTY_KEY, 1000) or []
    for room_id in map(int, room_ids):
        last_seq = selectors.room_last_seq(room_id=room_id)
        seqs = list(range(max(1, last_seq - settings.CHAT_LOBBY_UNREAD_WINDOW + 1), last_seq + 1))
        events.unread_counts(room_id=room_id, counts=selectors.lobby_unread_counts(room_id=room_id, seqs=seqs))
    return len(room_ids)
