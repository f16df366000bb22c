from apps.accounts.tests.factories import make_profile
from apps.chat import rooms as chat_rooms
from apps.chat.models import Room


def make_pair(*, event_id: int | None = None, nicknames: tuple[str, str] = ("앨리스", "바비")):
    """Alice and Bob, who match each other (in `event_id`'s event, if given), and their open 1:1 room.

    Nicknames are unique: a second pair in one test needs names of its own."""
    first, second = nicknames
    alice, bob = make_profile(nickname=first).user, make_profile(nickname=second, gender="M", seeking="F").user
    room: Room = chat_rooms.room_create_direct(user_ids=(alice.pk, bob.pk), event_id=event_id)
    return alice, bob, room
