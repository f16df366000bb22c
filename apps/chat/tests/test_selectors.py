import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.tests.factories import make_profile
from apps.chat import batch as chat_batch
from apps.chat import digest as chat_digest
from apps.chat import rooms as chat_rooms
from apps.chat import selectors
from apps.chat.models import Message, MessageKind
from apps.chat.tests.factories import make_pair
from apps.events.tests.factories import make_event

pytestmark = pytest.mark.django_db


def make_rooms(user, count: int, *, prefix: str) -> None:
    for index in range(count):
        partner = make_profile(nickname=f"{prefix}{index}", gender="M", seeking="F").user
        room = chat_rooms.room_create_direct(user_ids=(user.pk, partner.pk))
        chat_batch.message_send(sender_id=partner.pk, room_id=room.pk, client_msg_id=f"hello-{index}", body=f"안녕 {index}")


def test_the_room_list_costs_the_same_queries_for_one_room_as_for_five():
    # Given one student with one 1:1 room and another with five
    one, five = make_profile().user, make_profile().user
    make_rooms(one, 1, prefix="하나")
    make_rooms(five, 5, prefix="상대")

    # When each opens the room list
    with CaptureQueriesContext(connection) as one_room:
        assert len(selectors.room_list_for_user(user_id=one.pk)) == 1
    with CaptureQueriesContext(connection) as five_rooms:
        rooms = selectors.room_list_for_user(user_id=five.pk)

    # Then the partners are read in one query, not one per room
    assert len(five_rooms.captured_queries) == len(one_room.captured_queries)
    assert sorted(room["partner"]["nickname"] for room in rooms) == [f"상대{index}" for index in range(5)]
    assert all(room["title"] == room["partner"]["nickname"] and room["unread"] == 1 for room in rooms)


def test_a_room_whose_partner_deleted_their_account_has_no_partner():
    alice, bob = make_profile(nickname="앨리스").user, make_profile(nickname="바비").user
    room = chat_rooms.room_create_direct(user_ids=(alice.pk, bob.pk))
    room.members.filter(user=bob).delete()

    (summary,) = selectors.room_list_for_user(user_id=alice.pk)

    assert "partner" not in summary
    assert summary["title"] == "탈퇴한 사용자"


def test_the_digest_counts_each_rooms_unread_messages_from_others_in_one_query_for_any_number_of_rooms():
    # Given one student with one 1:1 room and another with five, each partner having said hello
    one, five = make_profile().user, make_profile().user
    make_rooms(one, 1, prefix="하나")
    make_rooms(five, 5, prefix="상대")
    first, second, third, *_rest = selectors.room_list_for_user(user_id=five.pk)[::-1]
    # ... then in the first room the student answers (their own words are no news to them),
    chat_batch.message_send(sender_id=five.pk, room_id=first["id"], client_msg_id="reply", body="반가워요")
    # in the second the partner writes again,
    partner = second["partner"]["user_id"]
    chat_batch.message_send(sender_id=partner, room_id=second["id"], client_msg_id="again", body="두 번째 메시지")
    # and the third is read to the end
    chat_batch.room_mark_read(user_id=five.pk, room_id=third["id"], seq=third["last_seq"])

    # When each one's digest is put together
    with CaptureQueriesContext(connection) as one_room:
        chat_digest.digest_contents(user_id=one.pk, since=None)
    with CaptureQueriesContext(connection) as five_rooms:
        digest = chat_digest.digest_contents(user_id=five.pk, since=None)

    # Then unread counts and last messages are read in one query, not one per room
    assert len(five_rooms.captured_queries) == len(one_room.captured_queries)
    unread = {room["partner"]: (room["count"], room["last_body"]) for room in digest["rooms"]}
    assert unread == {
        first["partner"]["nickname"]: (1, first["last_message"]["body"]),
        second["partner"]["nickname"]: (2, "두 번째 메시지"),
        **{room["partner"]["nickname"]: (1, room["last_message"]["body"]) for room in _rest},
    }
    assert sorted(digest["new_matches"]) == [f"상대{index}" for index in range(5)]


def test_the_digest_leaves_out_what_an_earlier_digest_covered():
    student = make_profile().user
    make_rooms(student, 1, prefix="상대")
    covered_until = Message.objects.get(room__members__user=student).sent_at

    assert chat_digest.digest_contents(user_id=student.pk, since=covered_until) == {"new_matches": [], "rooms": []}


def test_the_digest_calls_a_photo_a_photo_not_by_its_image_id():
    student = make_profile().user
    make_rooms(student, 1, prefix="상대")
    message = Message.objects.get(room__members__user=student)
    chat_batch.message_send(
        sender_id=message.sender_id, room_id=message.room_id, client_msg_id="image-9", body="9", kind=MessageKind.IMAGE
    )

    (room,) = chat_digest.digest_contents(user_id=student.pk, since=None)["rooms"]

    assert (room["count"], str(room["last_body"])) == (2, "사진")


def test_the_room_page_learns_who_may_post_from_its_membership_query():
    # Given a student in a staff-only lobby
    student = make_profile().user
    room = chat_rooms.lobby_room_join(user=student, event_id=make_event().pk)

    with CaptureQueriesContext(connection) as view_queries:
        selectors.room_view_for_user(user_id=student.pk, room_id=room.pk)
    with CaptureQueriesContext(connection) as page_queries:
        summary, may_post, lobby_event = selectors.room_page_for_user(user_id=student.pk, room_id=room.pk, is_staff=False)

    # Then the page knows the student may not post and the lobby's event, at no query beyond the room's own view
    assert (summary["id"], may_post, lobby_event.pk) == (room.pk, False, room.event_id)
    assert len(page_queries) <= len(view_queries)
    # and staff may
    assert selectors.room_page_for_user(user_id=student.pk, room_id=room.pk, is_staff=True)[1] is True


def test_a_replay_carries_the_partners_read_pointer_in_a_direct_room_and_none_in_a_lobby():
    # Given a 1:1 room where Bob has read the first of Alice's two messages
    alice, bob, room = make_pair()
    for index in (1, 2):
        chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id=f"m{index}", body=f"#{index}")
    chat_batch.room_mark_read(user_id=bob.pk, room_id=room.pk, seq=1)

    # Then Alice's replay says how far Bob read, and Bob's how far Alice read
    assert selectors.replay_for_member(user_id=alice.pk, room_id=room.pk, after_seq=2, until_seq=None).partner_read_seq == 1
    bobs = selectors.replay_for_member(user_id=bob.pk, room_id=room.pk, after_seq=0, until_seq=None)
    assert ([m["seq"] for m in bobs.messages], bobs.partner_read_seq) == ([1, 2], 0)

    # And a lobby, where many read, names no partner
    lobby = chat_rooms.lobby_room_join(user=alice, event_id=make_event().pk)
    chat_rooms.lobby_room_join(user=bob, event_id=lobby.event_id)
    assert selectors.replay_for_member(user_id=alice.pk, room_id=lobby.pk, after_seq=0, until_seq=None).partner_read_seq is None


def test_the_chats_tab_shows_the_unread_count_of_open_direct_chats(client):
    # given Alice with two messages from Bob she has not read and one she has
    alice, bob, room = make_pair()
    for cmid in ("b1", "b2", "b3"):
        chat_batch.message_send(sender_id=bob.pk, room_id=room.pk, client_msg_id=cmid, body="안녕")
    chat_batch.room_mark_read(user_id=alice.pk, room_id=room.pk, seq=1)
    assert selectors.unread_total_for_user(user_id=alice.pk) == 2
    # then every page's Chats tab carries the badge
    client.force_login(alice)
    html = client.get("/events/").content.decode()
    assert '<span class="tab-badge" data-chat-unread><span aria-hidden="true" data-chat-unread-count>2</span>' in html
    assert ">안 읽은 메시지 2개</span>" in html
    # and a student with nothing unread has the badge hidden, ready for the live count
    client.force_login(bob)
    assert '<span class="tab-badge" data-chat-unread hidden>' in client.get("/events/").content.decode()
    assert selectors.unread_by_direct_room(user_id=alice.pk) == {room.pk: (2, 3)}
