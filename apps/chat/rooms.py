"""Chat rooms: opening 1:1 and lobby rooms, closing and leaving them, deleted users'
places in them, and the profile fan-out to a user's open rooms."""

from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import Profile, User
from apps.chat import events, selectors
from apps.chat.models import Room, RoomKind, RoomMember
from apps.events.services import event_require, event_require_joinable


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


def profile_changed_notify(*, user_id: int) -> None:
    """Nickname or photo changed: every open room of the user shows it without a reload."""
    profile = Profile.objects.filter(user_id=user_id).first()
    if profile is None:
        return
    room_ids = list(RoomMember.objects.filter(user_id=user_id, room__is_open=True).values_list("room_id", flat=True))
    events.profile_updated(
        room_ids=room_ids, user_id=user_id, nickname=profile.nickname, photo_url=selectors.photo_url_for(profile)
    )
