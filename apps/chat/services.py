from django.db import transaction

from apps.chat.models import Room, RoomKind, RoomMember


@transaction.atomic
def room_create_direct(*, user_ids: tuple[int, int], event_id: int | None = None) -> Room:
    """Open a 1:1 room for two users (called when a match is confirmed)."""
    room = Room.objects.create(kind=RoomKind.DIRECT, event_id=event_id)
    RoomMember.objects.bulk_create([RoomMember(room=room, user_id=user_id) for user_id in user_ids])
    return room
