from apps.accounts.tests.factories import make_profile
from apps.chat import services
from apps.chat.models import Room


def make_pair():
    """Alice and Bob, who match each other, and their open 1:1 room."""
    alice, bob = make_profile(nickname="앨리스").user, make_profile(nickname="바비", gender="M", seeking="F").user
    room: Room = services.room_create_direct(user_ids=(alice.pk, bob.pk))
    return alice, bob, room
