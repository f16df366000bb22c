"""Many 1:1 rooms opened and closed at once (a speed-dating round), in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.tests.factories import make_profile
from apps.chat import rooms as chat_rooms
from apps.chat.models import Room, RoomMember

pytestmark = pytest.mark.django_db


def test_many_rooms_open_in_a_fixed_number_of_queries_and_every_member_is_told(sent_frames):
    people = [make_profile(nickname=f"사람{i}").user for i in range(6)]
    pairs = [(people[0].pk, people[1].pk), (people[2].pk, people[3].pk), (people[4].pk, people[5].pk)]

    with sent_frames(), CaptureQueriesContext(connection) as queries:
        rooms = chat_rooms.rooms_create_direct_many(user_id_pairs=pairs, event_id=None, contact_guard=True)

    assert len(queries) == 5  # savepoint, rooms, members, partners' profiles, release
    assert [sorted(RoomMember.objects.filter(room=room).values_list("user_id", flat=True)) for room in rooms] == [
        sorted(pair) for pair in pairs
    ]
    assert all(Room.objects.get(pk=room.pk).contact_guard for room in rooms)
    created = {(groups[0], frame["room"]["id"], frame["room"]["title"]) for groups, frame in sent_frames}
    assert created == {(f"user.{people[i].pk}", rooms[i // 2].pk, f"사람{i + 1 if i % 2 == 0 else i - 1}") for i in range(6)}


def test_many_rooms_close_at_once_and_closing_again_changes_nothing(sent_frames):
    people = [make_profile().user for _ in range(4)]
    rooms = chat_rooms.rooms_create_direct_many(user_id_pairs=[(people[0].pk, people[1].pk), (people[2].pk, people[3].pk)])

    with sent_frames():
        assert sorted(chat_rooms.rooms_close(room_ids=[room.pk for room in rooms])) == sorted(room.pk for room in rooms)
    assert not Room.objects.filter(is_open=True).exists()
    closed = sorted((frame["room"], tuple(groups)) for groups, frame in sent_frames if frame["type"] == "room.closed")
    assert closed == [
        (rooms[0].pk, (f"room.{rooms[0].pk}", f"user.{people[0].pk}", f"user.{people[1].pk}")),
        (rooms[1].pk, (f"room.{rooms[1].pk}", f"user.{people[2].pk}", f"user.{people[3].pk}")),
    ]
    assert chat_rooms.rooms_close(room_ids=[room.pk for room in rooms]) == []
