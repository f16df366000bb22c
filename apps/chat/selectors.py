"""Reads for chat: room lists, history, replays, unread counts and partners' presence."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from apps.accounts.models import PhotoStatus, Profile
from apps.accounts.selectors import profile_photo_url
from apps.chat.models import Message, Room, RoomKind, RoomMember
from apps.chat.protocol import REPLAY_MAX_MESSAGES, ErrorCode
from apps.core.db import fetch_prepared
from apps.core.errors import DomainError
from apps.events.models import Event
from apps.moderation.selectors import blocked_user_ids


def message_frame_data(
    *, room_id: int, seq: int, sender_id: int, sender_name: str, client_msg_id: str, kind: str, body: str, sent_at
) -> dict:
    """A message as every frame and history page carries it: live, acknowledged or replayed."""
    return {
        "room": room_id,
        "seq": seq,
        "sender": sender_id,
        "sender_name": sender_name,
        "client_msg_id": client_msg_id,
        "kind": kind,
        "body": body,
        "sent_at": sent_at.isoformat(),
    }


def message_as_frame_data(message: Message, *, sender_name: str) -> dict:
    return message_frame_data(
        room_id=message.room_id,
        seq=message.seq,
        sender_id=message.sender_id,
        sender_name=sender_name,
        client_msg_id=message.client_msg_id,
        kind=message.kind,
        body=message.body,
        sent_at=message.sent_at,
    )


def photo_url_for(profile: Profile | None) -> str | None:
    if profile is None or not profile.photo or profile.photo_status != PhotoStatus.APPROVED:
        return None
    return profile_photo_url(profile=profile)


def not_member_error() -> DomainError:
    """A new error each time: each refused request raises its own, in its own coroutine."""
    return DomainError(ErrorCode.NOT_MEMBER, _("You are not a member of this chat room."), field="room", http_status=404)


def room_member_require(*, user_id: int, room_id: int) -> RoomMember:
    member = RoomMember.objects.select_related("room").filter(room_id=room_id, user_id=user_id).first()
    if member is None:
        raise not_member_error()
    return member


def rooms_for_connect(*, user_id: int) -> tuple[list[int], list[int]]:
    """(open room ids the user belongs to, partners in open 1:1 rooms) — what a socket subscribes to.

    One statement: it runs on every connect of a 5,000-student storm.
    """
    rows = fetch_prepared(
        """
        SELECT m.room_id,
               CASE WHEN r.kind = %s THEN (SELECT o.user_id FROM chat_roommember o
                                            WHERE o.room_id = m.room_id AND o.user_id <> m.user_id LIMIT 1) END
          FROM chat_roommember m
          JOIN chat_room r ON r.id = m.room_id AND r.is_open
         WHERE m.user_id = %s
         ORDER BY m.room_id
        """,
        [RoomKind.DIRECT.value, user_id],
    )
    room_ids = list(dict.fromkeys(room_id for room_id, _partner in rows))
    partner_ids = [partner for _room_id, partner in rows if partner is not None]
    return room_ids, partner_ids


def chat_partner_ids(*, user_id: int) -> list[int]:
    return rooms_for_connect(user_id=user_id)[1]


def member_room_ids(*, user_id: int, room_ids: list[int]) -> set[int]:
    return set(RoomMember.objects.filter(user_id=user_id, room_id__in=room_ids).values_list("room_id", flat=True))


# The member's room, and the messages of a replay unless there are more than the limit: the
# lateral join yields no message rows then, and the one row left carries the room's last seq.
_REPLAY_SQL = """
SELECT r.last_seq, partner.read_seq, m.seq, m.sender_id, m.client_msg_id, m.kind, m.body, m.sent_at, p.nickname
  FROM chat_roommember rm
  JOIN chat_room r ON r.id = rm.room_id
  LEFT JOIN LATERAL (
        SELECT max(other.last_read_seq) AS read_seq
          FROM chat_roommember other
         WHERE r.kind = 'direct' AND other.room_id = rm.room_id AND other.user_id <> rm.user_id
  ) partner ON true
  LEFT JOIN LATERAL (
        SELECT msg.seq, msg.sender_id, msg.client_msg_id, msg.kind, msg.body, msg.sent_at
          FROM chat_message msg
         WHERE msg.room_id = rm.room_id
           AND msg.seq > %(after_seq)s
           AND msg.seq <= LEAST(r.last_seq, COALESCE(%(until_seq)s::bigint, r.last_seq))
           AND LEAST(r.last_seq, COALESCE(%(until_seq)s::bigint, r.last_seq)) - %(after_seq)s <= %(limit)s
         ORDER BY msg.seq
         LIMIT %(limit)s
  ) m ON true
  LEFT JOIN accounts_profile p ON p.user_id = m.sender_id
 WHERE rm.room_id = %(room_id)s AND rm.user_id = %(user_id)s
 ORDER BY m.seq
"""


@dataclass(frozen=True)
class Replay:
    last_seq: int  # the room's
    messages: list[dict] | None  # None: more than REPLAY_MAX_MESSAGES are missing
    # 1:1 rooms: the partner's read pointer, so "read" marks whose live receipt came while
    # this socket was away are right after the replay too (None in lobbies).
    partner_read_seq: int | None


def replay_for_member(*, user_id: int, room_id: int, after_seq: int, until_seq: int | None) -> Replay:
    """What a member is missing of a room: every message with seq in (after_seq, until_seq]
    (to the room's end without until_seq), oldest first; or, past REPLAY_MAX_MESSAGES,
    none at all (never a partial recovery). Raises not_member for anyone else.

    One prepared statement: after a restart every socket resumes at once, and when the
    server falls behind, clients ask for the gaps they see.
    """
    rows = fetch_prepared(
        _REPLAY_SQL,
        {"user_id": user_id, "room_id": room_id, "after_seq": after_seq, "until_seq": until_seq, "limit": REPLAY_MAX_MESSAGES},
    )
    if not rows:
        raise not_member_error()
    last_seq, partner_read_seq = rows[0][0], rows[0][1]
    end = last_seq if until_seq is None else min(last_seq, until_seq)
    if end - after_seq > REPLAY_MAX_MESSAGES:
        return Replay(last_seq, None, partner_read_seq)
    messages = [
        message_frame_data(
            room_id=room_id,
            seq=seq,
            sender_id=sender_id,
            sender_name=nickname or "",
            client_msg_id=client_msg_id,
            kind=kind,
            body=body,
            sent_at=sent_at,
        )
        for _last_seq, _partner_read_seq, seq, sender_id, client_msg_id, kind, body, sent_at, nickname in rows
        if seq is not None
    ]
    return Replay(last_seq, messages, partner_read_seq)


def contact_guarded_room_ids(*, room_ids: set[int]) -> set[int]:
    """Which of the rooms mask contact details: every lobby, and rooms opened with `contact_guard`."""
    if not room_ids:
        return set()
    guarded = Room.objects.filter(pk__in=room_ids).filter(Q(kind=RoomKind.LOBBY) | Q(contact_guard=True))
    return set(guarded.values_list("pk", flat=True))


def room_last_seq(*, room_id: int) -> int:
    return Room.objects.filter(pk=room_id).values_list("last_seq", flat=True).first() or 0


def message_history(*, user_id: int, room_id: int, before_seq: int | None, limit: int) -> dict:
    """One page of a room's history, newest page first, messages oldest-first inside it."""
    member = room_member_require(user_id=user_id, room_id=room_id)
    query = Message.objects.filter(room_id=room_id)
    if before_seq is not None:
        query = query.filter(seq__lt=before_seq)
    rows = list(query.order_by("-seq").annotate(sender_name=F("sender__profile__nickname"))[:limit])
    rows.reverse()
    messages = [message_as_frame_data(message, sender_name=message.sender_name or "") for message in rows]
    if member.room.kind == RoomKind.LOBBY and messages:
        counts = lobby_unread_counts(room_id=room_id, seqs=[m["seq"] for m in messages])
        for message in messages:
            message["unread"] = counts.get(message["seq"], 0)
    has_more = bool(rows) and rows[0].seq > 1
    return {
        "room": room_id,
        "messages": messages,
        "next_before_seq": rows[0].seq if has_more else None,
        "last_seq": member.room.last_seq,
    }


def lobby_unread_counts(*, room_id: int, seqs: list[int]) -> dict[int, int]:
    """For each message: how many members other than its sender have not read it yet."""
    if not seqs:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT msg.seq,
                   (SELECT count(*) FROM chat_roommember m
                     WHERE m.room_id = msg.room_id AND m.last_read_seq < msg.seq AND m.user_id <> msg.sender_id)
              FROM chat_message msg
             WHERE msg.room_id = %s AND msg.seq = ANY(%s)
            """,
            [room_id, list(seqs)],
        )
        return dict(cursor.fetchall())


def room_partners(*, room_ids: list[int], user_id: int) -> dict[int, dict]:
    """The other member of each of these 1:1 rooms, by room id, in one query (none for a
    room whose partner deleted their account)."""
    members = RoomMember.objects.filter(room_id__in=room_ids).exclude(user_id=user_id).select_related("user__profile")
    partners = {}
    for member in members.order_by("room_id", "pk"):
        profile = getattr(member.user, "profile", None)
        partners.setdefault(
            member.room_id,
            {
                "user_id": member.user_id,
                "nickname": profile.nickname if profile else _("Deleted user"),
                "photo_url": photo_url_for(profile),
                "last_read_seq": member.last_read_seq,
            },
        )
    return partners


def partner_cards(*, user_ids: list[int]) -> dict[int, dict]:
    """What a room's member sees of a partner (as room_partners), for many users in one query."""
    profiles = Profile.objects.filter(user_id__in=user_ids)
    return {
        profile.user_id: {
            "user_id": profile.user_id,
            "nickname": profile.nickname,
            "photo_url": photo_url_for(profile),
            "last_read_seq": 0,
        }
        for profile in profiles
    }


def room_title(*, room: Room, partner: dict | None) -> str:
    if room.kind == RoomKind.LOBBY:
        return _("%(event)s lobby") % {"event": room.event.name if room.event else ""}
    # No partner left in a 1:1 room: they deleted their account.
    return partner["nickname"] if partner else _("Deleted user")


def room_summary(
    *, member: RoomMember, last_message: Message | None = None, unread: int = 0, partners: dict[int, dict] | None = None
) -> dict:
    """The room as its member sees it; `partners` (see room_partners) saves a query per 1:1 room."""
    room = member.room
    partner = None
    if room.kind == RoomKind.DIRECT:
        if partners is None:
            partners = room_partners(room_ids=[room.pk], user_id=member.user_id)
        partner = partners.get(room.pk)
    summary = {
        "id": room.pk,
        "kind": room.kind,
        "title": room_title(room=room, partner=partner),
        "is_open": room.is_open,
        "is_archived": room.archived_at is not None,
        "last_seq": room.last_seq,
        "last_read_seq": member.last_read_seq,
        "unread": unread,
        "last_message": (
            {
                "seq": last_message.seq,
                "kind": last_message.kind,
                "body": last_message.body,
                "sent_at": last_message.sent_at.isoformat(),
            }
            if last_message
            else None
        ),
    }
    if partner is not None:
        summary["partner"] = partner
    return summary


def unread_in_outer_room(*, user_id: int, since=None):
    """The user's unread messages in the room of the outer query's RoomMember row (for a
    Subquery): past the member's read pointer, sent by someone else, and after `since`."""
    unread = Message.objects.filter(room_id=OuterRef("room_id"), seq__gt=OuterRef("last_read_seq")).exclude(sender_id=user_id)
    return unread if since is None else unread.filter(sent_at__gt=since)


def count_of(messages):
    return messages.order_by().values("room_id").annotate(n=Count("pk")).values("n")


def room_list_for_user(*, user_id: int) -> list[dict]:
    """The user's rooms, most recent activity first, each with its unread badge and last message."""
    unread = count_of(unread_in_outer_room(user_id=user_id))
    last_id = Message.objects.filter(room_id=OuterRef("room_id")).order_by("-seq").values("pk")[:1]
    # A speed-dating round's own room (contact-guarded, before any mutual yes) is reached from the
    # round; only the lasting chat after a mutual yes belongs in the list.
    rooms = RoomMember.objects.filter(user_id=user_id).exclude(room__kind=RoomKind.DIRECT, room__contact_guard=True)
    blocked = blocked_user_ids(user_id=user_id)
    if blocked:
        # A block hides the pair's 1:1 rooms from both lists.
        rooms = rooms.exclude(room__kind=RoomKind.DIRECT, room__members__user_id__in=blocked)
    members = list(rooms.select_related("room__event").annotate(unread_count=Subquery(unread), last_message_id=Subquery(last_id)))
    last_messages = Message.objects.in_bulk([m.last_message_id for m in members if m.last_message_id])
    partners = room_partners(room_ids=[m.room_id for m in members if m.room.kind == RoomKind.DIRECT], user_id=user_id)
    summaries = [
        room_summary(member=m, last_message=last_messages.get(m.last_message_id), unread=m.unread_count or 0, partners=partners)
        for m in members
    ]
    summaries.sort(key=lambda s: (s["is_open"], s["last_message"]["sent_at"] if s["last_message"] else ""), reverse=True)
    return summaries


def posting_allowed(*, kind: str, members_can_post: bool, is_staff: bool) -> bool:
    """Who may write in a room of this kind: anyone in a 1:1 room; in a lobby, staff (their
    messages are announcements), and everyone once the event opens the lobby chat."""
    return kind != RoomKind.LOBBY or members_can_post or is_staff


def room_view_for_user(*, user_id: int, room_id: int) -> dict:
    member = room_member_require(user_id=user_id, room_id=room_id)
    return room_summary(member=member)


def room_page_for_user(*, user_id: int, room_id: int, is_staff: bool) -> tuple[dict, bool, Event | None]:
    """The room as its member sees it, whether they may write in it (the room comes with the
    membership: no query of its own) and, for a lobby, its event: where a student who only
    reads is sent next."""
    # The lobby's event comes in the membership's own query.
    member = RoomMember.objects.select_related("room__event").filter(room_id=room_id, user_id=user_id).first()
    if member is None:
        raise not_member_error()
    room = member.room
    may_post = posting_allowed(kind=room.kind, members_can_post=room.members_can_post, is_staff=is_staff)
    return room_summary(member=member), may_post, room.event if room.kind == RoomKind.LOBBY else None


def unread_by_direct_room(*, user_id: int) -> dict[int, tuple[int, int]]:
    """Room id → (unread messages, last seq) of each of the user's 1:1 chats, in one query;
    blocked pairs' rooms and speed-dating rounds' own rooms are left out, as in the list."""
    unread = count_of(unread_in_outer_room(user_id=user_id))
    rooms = RoomMember.objects.filter(user_id=user_id, room__kind=RoomKind.DIRECT, room__contact_guard=False)
    blocked = blocked_user_ids(user_id=user_id)
    if blocked:
        rooms = rooms.exclude(room__members__user_id__in=blocked)
    rows = rooms.annotate(unread_count=Subquery(unread)).values_list("room_id", "unread_count", "room__last_seq")
    return {room_id: (count or 0, last_seq) for room_id, count, last_seq in rows}


def unread_total_for_user(*, user_id: int) -> int:
    """Unread messages across the user's 1:1 chats (the badge on the Chats tab)."""
    return sum(unread for unread, _last_seq in unread_by_direct_room(user_id=user_id).values())
