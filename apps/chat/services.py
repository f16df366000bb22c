"""Chat writes: rooms, the lossless send path, receipts, typing, presence, digests.

The send path is built for throughput: each process batches the sends (and read
receipts) that arrive while the previous batch is in PostgreSQL into ONE transaction
(group commit), and each statement of a batch covers all its items: membership, blocks and
client_msg_id checks, the inserts and the rooms' sequence bumps cost a fixed few round trips.
"""

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.models import Profile, User
from apps.chat import events, permissions, selectors
from apps.chat import metrics as chat_metrics
from apps.chat.models import ChatPreference, Message, MessageKind, Room, RoomKind, RoomMember
from apps.chat.protocol import BODY_MAX_CHARS, CLIENT_MSG_ID_MAX_CHARS, TYPING_EXPIRES_S, ErrorCode
from apps.core.db import PreparedCursor, pipelined_transaction, prepared_cursor
from apps.core.errors import DomainError
from apps.core.ratelimit import RateLimit, rate_limit_hit_many
from apps.core.redis import get_redis
from apps.events.services import event_require, event_require_joinable
from apps.moderation import services as moderation_services
from apps.moderation.selectors import block_exists_between
from apps.realtime import presence
from apps.realtime.protocol import ErrorCode as GatewayErrorCode

logger = logging.getLogger(__name__)


def send_rate() -> RateLimit:
    return RateLimit("chat-send", settings.CHAT_SEND_RATE_LIMIT, settings.CHAT_SEND_RATE_WINDOW_S)


LOBBY_UNREAD_DIRTY_KEY = "chat:lobby_unread_dirty"
UNSUBSCRIBE_SALT = "chat.digest.unsubscribe"

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

_READ_SQL = """
UPDATE chat_roommember m SET last_read_seq = LEAST(v.seq, r.last_seq)
  FROM unnest(%(rooms)s::bigint[], %(users)s::bigint[], %(seqs)s::bigint[]) AS v(room_id, user_id, seq), chat_room r
 WHERE m.room_id = v.room_id AND m.user_id = v.user_id AND r.id = m.room_id
   AND m.room_id = ANY(%(rooms)s::bigint[]) AND r.id = ANY(%(rooms)s::bigint[])
   AND m.last_read_seq < LEAST(v.seq, r.last_seq)
RETURNING m.room_id, m.user_id, m.last_read_seq, r.kind
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

    def ack_frame(self) -> dict:
        frame = {
            "type": "message.ack",
            "room": self.room_id,
            "client_msg_id": self.client_msg_id,
            "seq": self.seq,
            "sent_at": self.sent_at.isoformat(),
            "duplicate": self.duplicate,
        }
        if self.message is not None:
            frame["message"] = self.message
        return frame


@dataclass(frozen=True)
class ReadRequest:
    user_id: int
    room_id: int
    seq: int
    # The socket that read: the receipt goes to the room's other sockets only.
    origin_channel: str | None = None


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


# Rooms -----------------------------------------------------------------------------------


@transaction.atomic
def room_create_direct(*, user_ids: tuple[int, int], event_id: int | None = None, contact_guard: bool = False) -> Room:
    """Open a 1:1 room for two users (called when a match is confirmed); both are told at once.

    `contact_guard` masks contact details sent in it (a speed-dating round before a mutual yes).
    """
    room = Room.objects.create(kind=RoomKind.DIRECT, event_id=event_id, contact_guard=contact_guard)
    members = RoomMember.objects.bulk_create([RoomMember(room=room, user_id=user_id) for user_id in user_ids])
    for member in members:
        member.room = room
    events.room_created(user_summaries={m.user_id: selectors.room_summary(member=m) for m in members})
    return room


_ROOMS_INSERT = """
INSERT INTO chat_room (kind, event_id, is_open, created_at, last_seq, members_can_post, contact_guard)
SELECT %s, %s, true, now(), 0, false, %s FROM generate_series(1, %s) RETURNING id
"""
_MEMBERS_INSERT = """
INSERT INTO chat_roommember (room_id, user_id, last_read_seq, joined_at)
SELECT room_id, user_id, 0, now() FROM unnest(%s::bigint[], %s::bigint[]) AS m(room_id, user_id)
"""


@transaction.atomic
def rooms_create_direct_many(
    *, user_id_pairs: list[tuple[int, int]], event_id: int | None = None, contact_guard: bool = False, announce: bool = True
) -> list[Room]:
    """Open many 1:1 rooms at once (a speed-dating round seats thousands together) in two
    statements whatever their number. Every member is told (as by room_create_direct) now, or,
    with `announce=False`, when the caller calls rooms_announce_created after its own frames."""
    with connection.cursor() as cursor:
        cursor.execute(_ROOMS_INSERT, [RoomKind.DIRECT, event_id, contact_guard, len(user_id_pairs)])
        room_ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            _MEMBERS_INSERT,
            [[room_id for room_id in room_ids for _ in range(2)], [user_id for pair in user_id_pairs for user_id in pair]],
        )
    rooms = [Room(pk=room_id, kind=RoomKind.DIRECT, event_id=event_id, contact_guard=contact_guard) for room_id in room_ids]
    if announce:
        rooms_announce_created(rooms=rooms, user_id_pairs=user_id_pairs)
    return rooms


def rooms_announce_created(*, rooms: list[Room], user_id_pairs: list[tuple[int, int]]) -> None:
    """`room.created` to both members of each new 1:1 room (one query for the partners' names)."""
    partner_cards = selectors.partner_cards(user_ids=[user_id for pair in user_id_pairs for user_id in pair])
    summaries: dict[int, list[dict]] = {}
    for room, pair in zip(rooms, user_id_pairs, strict=True):
        for user_id, partner_id in (pair, pair[::-1]):
            partners = {room.pk: partner_cards[partner_id]} if partner_id in partner_cards else {}
            member = RoomMember(room=room, user_id=user_id)
            summaries.setdefault(user_id, []).append(selectors.room_summary(member=member, partners=partners))
    events.rooms_created(user_summaries=summaries)


def rooms_close(*, room_ids: list[int]) -> list[int]:
    """Close many rooms for everyone at once (a round's deadline); members are told; idempotent.

    Returns the rooms closed now (those already closed are left as they are)."""
    with transaction.atomic():
        closed = list(Room.objects.filter(pk__in=room_ids, is_open=True).select_for_update().values_list("pk", flat=True))
        Room.objects.filter(pk__in=closed).update(is_open=False, closed_at=timezone.now())
        members: dict[int, list[int]] = {}
        for room_id, user_id in RoomMember.objects.filter(room_id__in=closed).values_list("room_id", "user_id"):
            members.setdefault(room_id, []).append(user_id)
        events.rooms_closed(member_ids_by_room=members)
    return closed


def lobby_room_for_event(*, event_id: int) -> Room:
    room, _created = Room.objects.get_or_create(kind=RoomKind.LOBBY, event_id=event_id)
    return room


def lobby_room_join(*, user: User, event_id: int) -> Room:
    """Make a user who may take part in the event a member of its lobby room (idempotent).

    Staff need no student profile: they run the event and post its announcements there.
    """
    if user.is_staff and user.is_active:
        event_require(event_id=event_id)
    else:
        event_require_joinable(user=user, event_id=event_id)
    room = lobby_room_for_event(event_id=event_id)
    RoomMember.objects.get_or_create(room=room, user=user, defaults={"last_read_seq": room.last_seq})
    return room


@transaction.atomic
def room_close(*, room_id: int, by_user_id: int | None = None) -> Room:
    """Close a room for everyone (unmatch, leave, block); members are told at once; idempotent."""
    room = Room.objects.select_for_update().get(pk=room_id)
    if by_user_id is not None and not RoomMember.objects.filter(room=room, user_id=by_user_id).exists():
        raise selectors.not_member_error()
    if room.is_open:
        room.is_open = False
        room.closed_at = timezone.now()
        room.save(update_fields=["is_open", "closed_at"])
        member_ids = list(room.members.values_list("user_id", flat=True))
        events.room_closed(room_id=room.pk, member_ids=member_ids, by_user_id=by_user_id)
    return room


def rooms_close_between(*, user_id: int, other_user_id: int) -> list[int]:
    """Close every open 1:1 room the two share (after a block); returns the closed room ids."""
    room_ids = list(
        Room.objects.filter(kind=RoomKind.DIRECT, is_open=True, members__user_id=user_id)
        .filter(members__user_id=other_user_id)
        .values_list("pk", flat=True)
    )
    for room_id in room_ids:
        room_close(room_id=room_id, by_user_id=user_id)
    return room_ids


DELETED_USER_EMAIL = "deleted-user@matchminds.invalid"


def deleted_user() -> User:
    """The inactive placeholder account that keeps deleted users' places in conversations."""
    user, created = User.objects.get_or_create(email=DELETED_USER_EMAIL, defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def messages_erase_for_deleted_user(*, user_id: int) -> None:
    """Before an account is deleted: its 1:1 rooms end, and its messages lose their text and
    move to the placeholder account, so partners keep a gapless history from a "deleted user"."""
    for room_id in RoomMember.objects.filter(user_id=user_id, room__kind=RoomKind.DIRECT, room__is_open=True).values_list(
        "room_id", flat=True
    ):
        room_close(room_id=room_id)
    placeholder = deleted_user()
    with connection.cursor() as cursor:
        # client_msg_id is rewritten so two deleted users in one room cannot collide on it.
        cursor.execute(
            "UPDATE chat_message SET sender_id = %s, body = '', client_msg_id = 'deleted-' || id WHERE sender_id = %s",
            [placeholder.pk, user_id],
        )


def room_leave(*, user: User, room_id: int) -> Room:
    """Leaving a 1:1 room ends it for both; leaving a lobby room only drops the membership."""
    member = selectors.room_member_require(user_id=user.pk, room_id=room_id)
    if member.room.kind == RoomKind.DIRECT:
        return room_close(room_id=room_id, by_user_id=user.pk)
    member.delete()
    return member.room


# Sending ----------------------------------------------------------------------------------


def message_send(
    *,
    sender_id: int,
    room_id: int,
    client_msg_id: str,
    body: str,
    sender_is_staff: bool = False,
    kind: str = MessageKind.TEXT,
) -> SendResult:
    """Store one message (see chat_write_batch); raise DomainError when refused."""
    request = SendRequest(sender_id, room_id, client_msg_id, body, sender_is_staff, kind)
    (result,) = chat_write_batch(sends=[request], reads=[])[0]
    if isinstance(result, DomainError):
        raise result
    return result


@dataclass(frozen=True)
class PreparedSend:
    """A send that passed the checks that need no transaction: its trimmed, screened body
    and the moderation flag its text raised, if any."""

    request: SendRequest
    body: str
    flag_id: int | None = None


def chat_write_batch(
    *, sends: list[SendRequest], reads: list[ReadRequest], bookkeeping: Executor | None = None
) -> tuple[list[SendResult | DomainError], list[int | DomainError]]:
    """Apply many sends and read receipts in ONE transaction (group commit).

    Each item gets its own outcome: a SendResult / new read pointer, or the DomainError
    that refused it (refused items change nothing). Frames leave after the commit.
    The dashboard's counts are recorded after the commit too: on `bookkeeping` when given
    (so a writer that commits batch after batch need not wait for them), else before returning.
    """
    return _store_batch(_prepare_sends(sends), reads, bookkeeping)


def _prepare_sends(sends: list[SendRequest]) -> list[PreparedSend | DomainError]:
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
    refusals = rate_limit_hit_many(rule=send_rate(), subjects=[str(request.sender_id) for _i, request, _b in valid])
    # Only a batch with contact details in it asks which of its rooms guard them (most ask nothing).
    suspects = {request.room_id for _i, request, body in valid if moderation_services.text_holds_contacts(text=body)}
    guarded = selectors.contact_guarded_room_ids(room_ids=suspects)
    for (index, request, body), refusal in zip(valid, refusals, strict=True):
        if refusal is not None:
            outcomes[index] = refusal
            continue
        if request.kind != MessageKind.TEXT:
            outcomes[index] = PreparedSend(request, body)
            continue
        try:
            screened = moderation_services.message_text_screen(
                sender_id=request.sender_id, room_id=request.room_id, text=body, contact_guard=request.room_id in guarded
            )
        except DomainError as error:
            outcomes[index] = error
            continue
        outcomes[index] = PreparedSend(request, screened.text, screened.flag_id)
    return outcomes


def _store_batch(
    prepared: list[PreparedSend | DomainError], reads: list[ReadRequest], bookkeeping: Executor | None
) -> tuple[list[SendResult | DomainError], list[int | DomainError]]:
    """chat_write_batch's transaction, for sends already prepared (a refused one keeps its error)."""
    send_results: list[SendResult | DomainError | None] = [item if isinstance(item, DomainError) else None for item in prepared]
    cleaned = [(index, item.request, item.body) for index, item in enumerate(prepared) if isinstance(item, PreparedSend)]
    # index → id of the moderation flag its text raised
    flags = {index: item.flag_id for index, item in enumerate(prepared) if isinstance(item, PreparedSend) and item.flag_id}
    room_meta: dict[int, tuple[str, int | None]] = {}
    receipts: list[tuple[int, int, int, bool, str | None]] = []
    try:
        # Two round trips in all. The first carries BEGIN, the rooms, the sends' checks and
        # the read pointers' moves; the second locks the rooms, stores the messages and
        # commits. The rooms stay locked only while PostgreSQL runs that second trip, never
        # while this thread waits for a reply or for the GIL: a busy 1:1 room or an open
        # lobby is written by every process, and a batch that held its rooms' locks across
        # round trips made the other processes' batches queue behind it.
        with (
            prepared_cursor() as rooms_cursor,
            prepared_cursor() as checks_cursor,
            prepared_cursor() as reads_cursor,
            prepared_cursor() as store_cursor,
        ):
            with pipelined_transaction():
                _queue_send_checks(rooms_cursor, checks_cursor, cleaned)
                read_targets = _queue_reads(reads_cursor, reads)
                new_rows, resent, refused = _new_rows(cleaned, send_results, room_meta, rooms_cursor, checks_cursor)
                read_results = _apply_reads(reads, read_targets, reads_cursor, receipts)
                _queue_store(store_cursor, new_rows, room_meta)
            stored_rows = store_cursor.fetchall() if new_rows else []
    except IntegrityError:
        # A resend racing its twin in another process (or a manual write) broke a
        # constraint; redo one by one so a single item cannot refuse the whole batch.
        logger.warning("chat batch hit a constraint; retrying item by item", exc_info=True)
        if len(cleaned) + len(reads) <= 1:
            raise
        # Already prepared: a retry neither counts against the rate limit again nor flags
        # its text a second time.
        for index, item in enumerate(prepared):
            if send_results[index] is None:
                send_results[index] = _store_batch([item], [], bookkeeping)[0][0]
        read_results = [_store_batch([], [request], bookkeeping)[1][0] for request in reads]
        return send_results, read_results

    for index, request in refused:
        send_results[index] = _refusal_or_original_ack(request)
    stored = _stored_messages(new_rows, resent, stored_rows, send_results)
    # Pointed at their messages after the commit, outside the hot rooms' locks: a flag whose
    # message is lost to a crash in between still holds the text for review.
    flagged = {flag_id: send_results[index] for index, flag_id in flags.items() if isinstance(send_results[index], SendResult)}
    moderation_services.flags_attach_messages(
        seqs_by_flag={flag_id: result.seq for flag_id, result in flagged.items() if not result.duplicate}
    )
    # A resend of a flagged message was screened again before the store found the
    # original: its flag repeats the original's and would queue the same text twice.
    moderation_services.flags_discard(flag_ids=[flag_id for flag_id, result in flagged.items() if result.duplicate])
    # Inside a caller's transaction these wait for its commit; otherwise they run now.
    events.write_batch_frames(messages=stored, reads=receipts)
    if stored:
        record = partial(chat_metrics.messages_recorded, messages=[m for m, _origin in stored], room_meta=room_meta)
        transaction.on_commit(partial(_bookkeep, record, bookkeeping), robust=True)
    return send_results, read_results


def _bookkeep(work: Callable[[], None], executor: Executor | None) -> None:
    if executor is None:
        work()
        return

    def logged() -> None:
        try:
            work()
        except Exception:
            logger.exception("chat bookkeeping failed after a commit")

    executor.submit(logged)


@dataclass(frozen=True)
class _NewRow:
    index: int  # of its request in the batch's sends
    request: SendRequest
    body: str
    kind: str
    position: int  # among its room's new messages in this batch, from 1


def _queue_send_checks(
    rooms_cursor: PreparedCursor, checks_cursor: PreparedCursor, cleaned: list[tuple[int, SendRequest, str]]
) -> None:
    """Read the sends' rooms and check each send (see _SEND_CHECKS_SQL); read by _new_rows.

    Nothing is locked yet. A room closed after this read is caught under its lock by the
    store; a resend whose original another process commits meanwhile breaks the idempotency
    key, and the batch is redone item by item.
    """
    if not cleaned:
        return
    rooms_cursor.execute(
        "SELECT id, kind, is_open, members_can_post, event_id FROM chat_room WHERE id = ANY(%s)",
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


def _new_rows(
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
    rooms: dict[int, tuple[str, bool, bool]] = {}
    for room_id, kind, is_open, members_can_post, event_id in rooms_cursor.fetchall():
        rooms[room_id] = (kind, is_open, members_can_post)
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
        kind, is_open, members_can_post = rooms.get(request.room_id, (None, False, False))
        refusal = permissions.post_refusal(
            kind=kind,
            is_member=is_member,
            is_open=is_open,
            members_can_post=members_can_post,
            is_staff=request.sender_is_staff,
            blocked=blocked,
        )
        if refusal is not None:
            # Why is told out of the transaction's pipeline (_refusal_or_original_ack).
            refused.append((index, request))
            continue
        first_of_key[key] = index
        added[request.room_id] = added.get(request.room_id, 0) + 1
        message_kind = MessageKind.ANNOUNCEMENT if kind == RoomKind.LOBBY and request.sender_is_staff else request.kind
        new_rows.append(_NewRow(index, request, body, message_kind, added[request.room_id]))
    return new_rows, resent, refused


def _queue_store(cursor: PreparedCursor, new_rows: list[_NewRow], room_meta: dict[int, tuple[str, int | None]]) -> None:
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


def _stored_messages(
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
            results[row.index] = _refusal_or_original_ack(request)
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
            results[index] = _refusal_or_original_ack(request)
    return stored


def _refusal_or_original_ack(request: SendRequest) -> SendResult | DomainError:
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
        members_can_post=bool(room and room.members_can_post),
        is_staff=request.sender_is_staff,
        blocked=lambda: _blocked_with_any(request.sender_id, members),
    )
    # None: the room changed since the batch looked (or the refusal came from a constraint).
    return refusal or selectors.not_member_error()


def _blocked_with_any(user_id: int, member_ids: list[int]) -> bool:
    return any(block_exists_between(user_id=user_id, other_user_id=other) for other in member_ids if other != user_id)


# Receipts --------------------------------------------------------------------------------


def room_mark_read(*, user_id: int, room_id: int, seq: int) -> int:
    """Move the user's read pointer forward (never back, never past the last message); returns it."""
    result = chat_write_batch(sends=[], reads=[ReadRequest(user_id, room_id, seq)])[1][0]
    if isinstance(result, DomainError):
        raise result
    return result


def _queue_reads(cursor: PreparedCursor, requests: list[ReadRequest]) -> dict[tuple[int, int], ReadRequest]:
    """Move every read pointer of the batch in one statement (read by _apply_reads); return
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


def _apply_reads(
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


# Typing, presence, profiles ----------------------------------------------------------------


def typing_notify(*, user_id: int, room_id: int, is_staff: bool = False) -> bool:
    """Tell the room the user is typing; at most once per CHAT_TYPING_THROTTLE_S. True when sent.

    Only someone who may post in the room may say they are typing in it.
    """
    throttle_key = f"chat:typing:{room_id}:{user_id}"
    if not get_redis().set(throttle_key, 1, nx=True, ex=settings.CHAT_TYPING_THROTTLE_S):
        return False
    room = selectors.room_member_require(user_id=user_id, room_id=room_id).room
    refusal = permissions.post_refusal(
        kind=room.kind,
        is_member=True,
        is_open=room.is_open,
        members_can_post=room.members_can_post,
        is_staff=is_staff,
        blocked=lambda: _blocked_with_any(user_id, list(room.members.values_list("user_id", flat=True))),
    )
    if refusal is not None:
        raise refusal
    events.typing(room_id=room_id, user_id=user_id, expires_in_s=TYPING_EXPIRES_S)
    return True


def presence_announce(*, user_id: int, partner_ids: list[int]) -> dict:
    """Tell the user's chat partners (and nobody else) their current presence state."""
    state = selectors.presence_state(user_id=user_id)
    events.presence_changed(partner_ids=partner_ids, state=state)
    return state


def presence_set(*, user_id: int, state: str, partner_ids: list[int]) -> dict:
    if state not in ("online", "away"):
        raise DomainError(GatewayErrorCode.INVALID_FRAME, _("'state' must be 'online' or 'away'."), field="state")
    client = get_redis()
    if state == "away":
        client.set(selectors.away_key(user_id), 1, ex=settings.PRESENCE_TTL_S * 2)
    else:
        client.delete(selectors.away_key(user_id))
    return presence_announce(user_id=user_id, partner_ids=partner_ids)


def presence_socket_closing(*, user_id: int, channel_name: str, partner_ids: list[int]) -> None:
    """When the user's last socket goes, partners see them offline with a fresh last-seen."""
    if presence.user_has_other_live_socket(user_id=user_id, channel_name=channel_name):
        return
    get_redis().delete(selectors.away_key(user_id))
    now = int(timezone.now().timestamp())
    events.presence_changed(
        partner_ids=partner_ids, state={"type": "presence", "user": user_id, "state": "offline", "last_seen": now}
    )


def profile_changed_notify(*, user_id: int) -> None:
    """Nickname or photo changed: every open room of the user shows it without a reload."""
    profile = Profile.objects.filter(user_id=user_id).first()
    if profile is None:
        return
    room_ids = list(RoomMember.objects.filter(user_id=user_id, room__is_open=True).values_list("room_id", flat=True))
    events.profile_updated(
        room_ids=room_ids, user_id=user_id, nickname=profile.nickname, photo_url=selectors.photo_url_for(profile)
    )


# Offline digest ---------------------------------------------------------------------------


def digest_unsubscribe_token(*, user_id: int) -> str:
    return signing.dumps(user_id, salt=UNSUBSCRIBE_SALT)


def digest_unsubscribe(*, token: str) -> int:
    """Switch the digest off for the user the signed token names; returns the user id."""
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise DomainError(ErrorCode.INVALID_TOKEN, _("This unsubscribe link is not valid."), http_status=400) from None
    ChatPreference.objects.update_or_create(user_id=user_id, defaults={"digest_enabled": False})
    return user_id


def digest_send_due(*, base_url: str, limit: int) -> int:
    """E-mail one digest to each of up to `limit` members offline for CHAT_DIGEST_OFFLINE_S with news.

    Each user is claimed with a conditional update of `digest_covered_until` before the
    mail leaves, so concurrent or retried runs never mail the same news twice.
    """
    now = timezone.now()
    cutoff = now - timezone.timedelta(seconds=settings.CHAT_DIGEST_OFFLINE_S)
    sent = 0
    for user_id in selectors.digest_candidate_ids(cutoff=cutoff, limit=limit):
        last_seen = presence.user_last_seen(user_id=user_id)
        if presence.user_is_online(user_id=user_id) or (last_seen and last_seen > cutoff.timestamp()):
            continue
        preference, _created = ChatPreference.objects.get_or_create(user_id=user_id)
        since = preference.digest_covered_until
        claimed = ChatPreference.objects.filter(pk=preference.pk, digest_covered_until=since).update(digest_covered_until=cutoff)
        if not claimed:
            continue
        contents = selectors.digest_contents(user_id=user_id, since=since)
        if contents["new_matches"] or contents["rooms"]:
            _digest_mail(user=User.objects.get(pk=user_id), contents=contents, base_url=base_url)
            sent += 1
    return sent


def _digest_mail(*, user: User, contents: dict, base_url: str) -> None:
    unsubscribe_url = base_url + reverse("chat:unsubscribe", args=[digest_unsubscribe_token(user_id=user.pk)])
    context = {**contents, "unsubscribe_url": unsubscribe_url, "rooms_url": base_url + reverse("chat:rooms")}
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("New messages on MatchMinds")
        body = render_to_string("chat/email/digest.txt", context)
    mail = EmailMultiAlternatives(subject, body, to=[user.email], headers={"List-Unsubscribe": f"<{unsubscribe_url}>"})
    mail.send()
