"""The send half of the chat's write batch: checks that need no transaction (id, body,
rate limit, screening), then the batch's statements: the send checks, the store of the new
messages and their frame data, and why a refused send was refused (apps/chat/permissions.py)."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from apps.chat import permissions, selectors
from apps.chat.models import Message, MessageKind, Room, RoomKind, RoomMember
from apps.chat.protocol import BODY_MAX_CHARS, CLIENT_MSG_ID_MAX_CHARS, ErrorCode
from apps.core.db import PreparedCursor, prepared_cursor
from apps.core.errors import DomainError
from apps.core.ratelimit import RateLimit, rate_limit_hit_many
from apps.moderation import text as moderation_text
from apps.policies.errors import ErrorCode as PolicyErrorCode
from apps.policies.selectors import consent_message, consent_missing_user_ids
from apps.realtime.protocol import ErrorCode as GatewayErrorCode


def send_rate() -> RateLimit:
    return RateLimit("chat-send", settings.CHAT_SEND_RATE_LIMIT, settings.CHAT_SEND_RATE_WINDOW_S)


# Every statement of a batch covers all its items at once (arrays unnested server-side):
# a group-committed batch costs a fixed handful of round trips, not one per message.
# They are prepared with one generic plan (apps.core.db), which cannot know how long the
# arrays are: an `= ANY(rooms)` that repeats a join key makes that plan reach the rows
# through their indexes instead of hashing a scan of the whole table.
_SEND_CHECKS_SQL = """
WITH wanted AS (
    SELECT * FROM unnest(%(rooms)s::bigint[], %(senders)s::bigint[], %(cmids)s::text[]) AS w(room_id, sender_id, cmid)
)
SELECT w.room_id, w.sender_id, w.cmid,
       EXISTS (SELECT 1 FROM chat_roommember m WHERE m.room_id = w.room_id AND m.user_id = w.sender_id),
       EXISTS (SELECT 1 FROM chat_roommember o JOIN moderation_block b
                 ON (b.blocker_id = w.sender_id AND b.blocked_id = o.user_id)
                 OR (b.blocked_id = w.sender_id AND b.blocker_id = o.user_id)
                WHERE o.room_id = w.room_id AND o.user_id <> w.sender_id),
       e.seq, e.sent_at
  FROM wanted w
  LEFT JOIN chat_message e ON e.room_id = w.room_id AND e.sender_id = w.sender_id AND e.client_msg_id = w.cmid
"""


# The new messages and their rooms' seq counters, and what their frames need (sender
# nickname; in lobby rooms, how many members besides the sender have yet to read them): one
# statement. Seqs are handed out here, under the rooms' locks: each new message takes its
# room's last seq plus its position among the room's new messages of the batch. A room found
# closed under its lock stores nothing (its sends are refused afterwards).
_STORE_MESSAGES_SQL = """
WITH bumped AS (
    UPDATE chat_room r SET last_seq = r.last_seq + v.added
      FROM unnest(%(bumped_rooms)s::bigint[], %(bumped_counts)s::bigint[]) AS v(room_id, added)
     WHERE r.id = v.room_id AND r.id = ANY(%(bumped_rooms)s::bigint[]) AND r.is_open
    RETURNING r.id AS room_id, r.last_seq - v.added AS base_seq
), inserted AS (
    INSERT INTO chat_message (room_id, seq, sender_id, client_msg_id, kind, body, sent_at)
    SELECT v.room_id, b.base_seq + v.position, v.sender_id, v.cmid, v.kind, v.body, clock_timestamp()
      FROM unnest(%(rooms)s::bigint[], %(positions)s::bigint[], %(senders)s::bigint[], %(cmids)s::text[],
                  %(kinds)s::text[], %(bodies)s::text[]) AS v(room_id, position, sender_id, cmid, kind, body)
      JOIN bumped b ON b.room_id = v.room_id
    RETURNING room_id, seq, sender_id, sent_at
), lobby_others AS (
    SELECT room_id, count(*) - 1 AS others FROM chat_roommember
     WHERE room_id = ANY(%(lobbies)s::bigint[]) GROUP BY room_id
)
SELECT i.room_id, i.seq - b.base_seq, i.seq, i.sent_at, p.nickname, o.others
  FROM inserted i
  JOIN bumped b ON b.room_id = i.room_id
  LEFT JOIN accounts_profile p ON p.user_id = i.sender_id
  LEFT JOIN lobby_others o ON o.room_id = i.room_id
"""


@dataclass(frozen=True)
class SendRequest:
    sender_id: int
    room_id: int
    client_msg_id: str
    body: str
    sender_is_staff: bool = False
    kind: str = MessageKind.TEXT
    # The socket that sent it: its ack carries the stored message, so the room's fan-out skips it.
    origin_channel: str | None = None


@dataclass(frozen=True)
class SendResult:
    room_id: int
    client_msg_id: str
    seq: int
    sent_at: datetime
    duplicate: bool
    # The stored message as `message.new` carries it (None for a duplicate: it went out before).
    message: dict | None = None


def clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError(ErrorCode.BODY_EMPTY, _("Write a message first."), field="body")
    if len(body) > BODY_MAX_CHARS:
        raise DomainError(
            ErrorCode.BODY_TOO_LONG,
            _("A message can be at most %(max)d characters.") % {"max": BODY_MAX_CHARS},
            field="body",
        )
    return body


def clean_client_msg_id(client_msg_id: str) -> str:
    if not client_msg_id or len(client_msg_id) > CLIENT_MSG_ID_MAX_CHARS:
        raise DomainError(
            GatewayErrorCode.INVALID_FRAME,
            _("'client_msg_id' must be 1–%(max)d characters.") % {"max": CLIENT_MSG_ID_MAX_CHARS},
            field="client_msg_id",
        )
    return client_msg_id


@dataclass(frozen=True)
class PreparedSend:
    """A send that passed the checks that need no transaction: its trimmed, screened body
    and the moderation flag its text raised, if any."""

    request: SendRequest
    body: str
    flag_id: int | None = None


def prepare_sends(sends: list[SendRequest]) -> list[PreparedSend | DomainError]:
    """Each send's checks that need no transaction, in order: id and body, the rate limit
    (one Redis round trip for the batch), then screening, outside the transaction because a
    refused message's flag must survive. A refused send gets its DomainError."""
    outcomes: list[PreparedSend | DomainError | None] = [None] * len(sends)
    valid: list[tuple[int, SendRequest, str]] = []
    for index, request in enumerate(sends):
        try:
            clean_client_msg_id(request.client_msg_id)
            valid.append((index, request, clean_body(request.body)))
        except DomainError as error:
            outcomes[index] = error
    valid = _refuse_without_consent(valid, outcomes)
    refusals = rate_limit_hit_many(rule=send_rate(), subjects=[str(request.sender_id) for _i, request, _b in valid])
    # Only a batch with contact details in it asks which of its rooms guard them (most ask nothing).
    suspects = {request.room_id for _i, request, body in valid if moderation_text.text_holds_contacts(text=body)}
    guarded = selectors.contact_guarded_room_ids(room_ids=suspects)
    for (index, request, body), refusal in zip(valid, refusals, strict=True):
        if refusal is not None:
            outcomes[index] = refusal
            continue
        if request.kind != MessageKind.TEXT:
            outcomes[index] = PreparedSend(request, body)
            continue
        try:
            screened = moderation_text.message_text_screen(
                sender_id=request.sender_id, room_id=request.room_id, text=body, contact_guard=request.room_id in guarded
            )
        except DomainError as error:
            outcomes[index] = error
            continue
        outcomes[index] = PreparedSend(request, screened.text, screened.flag_id)
    return outcomes


def _refuse_without_consent(valid: list[tuple[int, SendRequest, str]], outcomes: list) -> list[tuple[int, SendRequest, str]]:
    """Refuse the sends of students who have not accepted the current terms (one Redis round
    trip for the batch, cached per student; staff post for the service and are not asked)."""
    missing = consent_missing_user_ids(user_ids=[request.sender_id for _i, request, _b in valid if not request.sender_is_staff])
    if not missing:
        return valid
    kept = []
    for index, request, body in valid:
        if request.sender_id in missing and not request.sender_is_staff:
            outcomes[index] = DomainError(PolicyErrorCode.TERMS_NOT_ACCEPTED, consent_message(), http_status=403)
        else:
            kept.append((index, request, body))
    return kept


@dataclass(frozen=True)
class _NewRow:
    index: int  # of its request in the batch's sends
    request: SendRequest
    body: str
    kind: str
    position: int  # among its room's new messages in this batch, from 1


def queue_send_checks(
    rooms_cursor: PreparedCursor, checks_cursor: PreparedCursor, cleaned: list[tuple[int, SendRequest, str]]
) -> None:
    """Read the sends' rooms and check each send (see _SEND_CHECKS_SQL); read by sends_to_store.

    Nothing is locked yet. A room closed after this read is caught under its lock by the
    store; a resend whose original another process commits meanwhile breaks the idempotency
    key, and the batch is redone item by item.
    """
    if not cleaned:
        return
    rooms_cursor.execute(
        "SELECT id, kind, is_open, members_can_post, event_id, archived_at IS NOT NULL FROM chat_room WHERE id = ANY(%s)",
        [sorted({request.room_id for _index, request, _body in cleaned})],
    )
    checks_cursor.execute(
        _SEND_CHECKS_SQL,
        {
            "rooms": [request.room_id for _i, request, _b in cleaned],
            "senders": [request.sender_id for _i, request, _b in cleaned],
            "cmids": [request.client_msg_id for _i, request, _b in cleaned],
        },
    )


def sends_to_store(
    cleaned: list[tuple[int, SendRequest, str]],
    results: list,
    room_meta: dict[int, tuple[str, int | None]],
    rooms_cursor: PreparedCursor,
    checks_cursor: PreparedCursor,
) -> tuple[list[_NewRow], list[tuple[int, int, SendRequest]], list[tuple[int, SendRequest]]]:
    """The sends that passed their checks, to store, with each room's (kind, event id) in
    `room_meta`; `results` gets the original's ack for each resend of a stored message.
    Also returns the resends of a send earlier in the same batch, as (index, index of its
    first copy, request), and the sends refused, as (index, request): why is asked later,
    out of the transaction's pipeline."""
    if not cleaned:
        return [], [], []
    rooms: dict[int, tuple[str, bool, bool, bool]] = {}
    for room_id, kind, is_open, members_can_post, event_id, is_archived in rooms_cursor.fetchall():
        rooms[room_id] = (kind, is_open, members_can_post, is_archived)
        room_meta[room_id] = (kind, event_id)
    checks = {(room_id, sender_id, cmid): rest for room_id, sender_id, cmid, *rest in checks_cursor.fetchall()}

    new_rows: list[_NewRow] = []
    added: dict[int, int] = {}  # room id → new messages so far
    first_of_key: dict[tuple[int, int, str], int] = {}
    resent: list[tuple[int, int, SendRequest]] = []
    refused: list[tuple[int, SendRequest]] = []
    for index, request, body in cleaned:
        key = (request.room_id, request.sender_id, request.client_msg_id)
        is_member, blocked, existing_seq, existing_sent_at = checks[key]
        if existing_seq is not None:
            results[index] = SendResult(request.room_id, request.client_msg_id, existing_seq, existing_sent_at, True)
            continue
        if key in first_of_key:
            resent.append((index, first_of_key[key], request))
            continue
        kind, is_open, members_can_post, is_archived = rooms.get(request.room_id, (None, False, False, False))
        refusal = permissions.post_refusal(
            kind=kind,
            is_member=is_member,
            is_open=is_open,
            is_archived=is_archived,
            members_can_post=members_can_post,
            is_staff=request.sender_is_staff,
            blocked=blocked,
        )
        if refusal is not None:
            # Why is told out of the transaction's pipeline (refusal_or_original_ack).
            refused.append((index, request))
            continue
        first_of_key[key] = index
        added[request.room_id] = added.get(request.room_id, 0) + 1
        message_kind = MessageKind.ANNOUNCEMENT if kind == RoomKind.LOBBY and request.sender_is_staff else request.kind
        new_rows.append(_NewRow(index, request, body, message_kind, added[request.room_id]))
    return new_rows, resent, refused


def queue_store(cursor: PreparedCursor, new_rows: list[_NewRow], room_meta: dict[int, tuple[str, int | None]]) -> None:
    """Lock the new messages' rooms and store the messages (see _STORE_MESSAGES_SQL)."""
    if not new_rows:
        return
    # Positions count up from 1 in each room: a room's last is its number of new messages.
    added = {row.request.room_id: row.position for row in new_rows}
    bumped = sorted(added)
    # In id order, so that batches of other processes never deadlock; a statement of its
    # own, because an UPDATE … FROM locks its rows in whatever order its plan visits them.
    with prepared_cursor() as lock_cursor:
        lock_cursor.execute("SELECT id FROM chat_room WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [bumped])
    cursor.execute(
        _STORE_MESSAGES_SQL,
        {
            "rooms": [row.request.room_id for row in new_rows],
            "positions": [row.position for row in new_rows],
            "senders": [row.request.sender_id for row in new_rows],
            "cmids": [row.request.client_msg_id for row in new_rows],
            "kinds": [row.kind for row in new_rows],
            "bodies": [row.body for row in new_rows],
            "bumped_rooms": bumped,
            "bumped_counts": [added[room_id] for room_id in bumped],
            "lobbies": [room_id for room_id in bumped if room_meta[room_id][0] == RoomKind.LOBBY],
        },
    )


def stored_messages(
    new_rows: list[_NewRow], resent: list[tuple[int, int, SendRequest]], stored_rows: list[tuple], results: list
) -> list[tuple[dict, str | None]]:
    """Fill `results` for the stored sends (and refuse those whose room closed under its
    lock); return the new messages as frame data, each with the socket that sent it."""
    by_position = {(room_id, position): rest for room_id, position, *rest in stored_rows}
    stored: list[tuple[dict, str | None]] = []
    for row in new_rows:
        request = row.request
        found = by_position.get((request.room_id, row.position))
        if found is None:
            results[row.index] = refusal_or_original_ack(request)
            continue
        seq, sent_at, nickname, others = found
        message = selectors.message_frame_data(
            room_id=request.room_id,
            seq=seq,
            sender_id=request.sender_id,
            sender_name=nickname or "",
            client_msg_id=request.client_msg_id,
            kind=row.kind,
            body=row.body,
            sent_at=sent_at,
        )
        if others is not None:
            message["unread"] = others
        results[row.index] = SendResult(request.room_id, request.client_msg_id, seq, sent_at, False, message)
        stored.append((message, request.origin_channel))
    for index, first_index, request in resent:
        original = results[first_index]
        if isinstance(original, SendResult):
            results[index] = SendResult(original.room_id, original.client_msg_id, original.seq, original.sent_at, True)
        else:
            # Its own error object: each is raised in its own socket's coroutine.
            results[index] = refusal_or_original_ack(request)
    return stored


def refusal_or_original_ack(request: SendRequest) -> SendResult | DomainError:
    """Why a send was refused, checked in the order users understand; a resend still gets its ack."""
    original = Message.objects.filter(
        room_id=request.room_id, sender_id=request.sender_id, client_msg_id=request.client_msg_id
    ).first()
    if original is not None:
        return SendResult(request.room_id, request.client_msg_id, original.seq, original.sent_at, True)
    room = Room.objects.filter(pk=request.room_id).first()
    members = list(RoomMember.objects.filter(room_id=request.room_id).values_list("user_id", flat=True)) if room else []
    refusal = permissions.post_refusal(
        kind=room.kind if room else None,
        is_member=request.sender_id in members,
        is_open=bool(room and room.is_open),
        is_archived=bool(room and room.archived_at),
        members_can_post=bool(room and room.members_can_post),
        is_staff=request.sender_is_staff,
        blocked=lambda: permissions.blocked_with_any(request.sender_id, members),
    )
    # None: the room changed since the batch looked (or the refusal came from a constraint).
    return refusal or selectors.not_member_error()
