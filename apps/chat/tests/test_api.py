import pytest
from rest_framework.test import APIClient

from apps.accounts.tests.factories import make_profile
from apps.chat import batch as chat_batch
from apps.chat import receipts as chat_receipts
from apps.chat import rooms as chat_rooms
from apps.chat.models import Message, RoomMember
from apps.chat.tests.factories import make_pair
from apps.core.errors import DomainError
from apps.events.tests.factories import make_event
from apps.realtime.protocol import user_group

pytestmark = pytest.mark.django_db


def api_as(user) -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="ko")
    api.force_authenticate(user)
    return api


def send(sender, room, *bodies: str) -> None:
    for body in bodies:
        chat_batch.message_send(sender_id=sender.pk, room_id=room.pk, client_msg_id=f"{sender.pk}-{body}", body=body)


def test_room_list_gives_each_room_its_unread_badge_and_last_message_newest_activity_first():
    # Given Alice with two 1:1 rooms: Bob wrote twice in the first, Alice wrote last in the second
    alice, bob, with_bob = make_pair()
    carol = make_profile(nickname="캐럴", gender="M", seeking="F").user
    with_carol = chat_rooms.room_create_direct(user_ids=(alice.pk, carol.pk))
    send(bob, with_bob, "안녕", "뭐해?")
    send(carol, with_carol, "반가워")
    send(alice, with_carol, "나도!")

    # When she asks for her rooms
    response = api_as(alice).get("/api/v1/chat/rooms/")

    # Then each shows its partner, last message and how many of the partner's messages she has not read
    assert response.status_code == 200
    rows = [
        (room["id"], room["title"], room["unread"], room["last_message"]["body"], room["partner"]["user_id"])
        for room in response.json()["rooms"]
    ]
    assert rows == [(with_carol.pk, "캐럴", 1, "나도!", carol.pk), (with_bob.pk, "바비", 2, "뭐해?", bob.pk)]


def test_reading_a_room_clears_its_badge():
    alice, bob, room = make_pair()
    send(bob, room, "하나", "둘", "셋")
    chat_batch.chat_write_batch(sends=[], reads=[chat_receipts.ReadRequest(alice.pk, room.pk, 2)])

    (summary,) = api_as(alice).get("/api/v1/chat/rooms/").json()["rooms"]

    assert (summary["last_read_seq"], summary["unread"], summary["last_seq"]) == (2, 1, 3)


def test_history_pages_back_from_the_newest_message_by_before_seq():
    alice, bob, room = make_pair()
    send(alice, room, "1번", "2번", "3번", "4번", "5번")
    api = api_as(bob)

    newest = api.get(f"/api/v1/chat/rooms/{room.pk}/messages/?limit=2").json()
    older = api.get(f"/api/v1/chat/rooms/{room.pk}/messages/?limit=3&before_seq={newest['next_before_seq']}").json()

    assert [(m["seq"], m["body"], m["sender_name"]) for m in newest["messages"]] == [(4, "4번", "앨리스"), (5, "5번", "앨리스")]
    assert (newest["next_before_seq"], newest["last_seq"]) == (4, 5)
    assert [m["body"] for m in older["messages"]] == ["1번", "2번", "3번"]
    assert older["next_before_seq"] is None


def test_history_of_someone_elses_room_is_a_404_that_reveals_nothing():
    alice, bob, room = make_pair()
    send(alice, room, "비밀")
    outsider = make_profile().user

    response = api_as(outsider).get(f"/api/v1/chat/rooms/{room.pk}/messages/")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_member", "message": "이 채팅방의 멤버가 아니에요.", "field": "room"}}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=many", "limit"),
        ("before_seq=0", "before_seq"),
        ("before_seq=x", "before_seq"),
    ],
)
def test_history_refuses_bad_paging_parameters_with_the_field_named(query, field):
    alice, _bob, room = make_pair()

    response = api_as(alice).get(f"/api/v1/chat/rooms/{room.pk}/messages/?{query}")

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], list(error["fields"])) == ("invalid", [field])


def test_the_chat_api_needs_a_signed_in_user():
    _alice, _bob, room = make_pair()
    client = APIClient()

    answers = [
        client.get("/api/v1/chat/rooms/"),
        client.get(f"/api/v1/chat/rooms/{room.pk}/messages/"),
        client.post(f"/api/v1/chat/rooms/{room.pk}/leave/"),
    ]

    assert {(answer.status_code, answer.json()["error"]["code"]) for answer in answers} == {(403, "not_authenticated")}
    assert room.members.count() == 2


def test_leaving_a_1to1_room_ends_it_for_both_and_tells_the_partner_at_once(sent_frames):
    alice, bob, room = make_pair()

    with sent_frames():
        response = api_as(alice).post(f"/api/v1/chat/rooms/{room.pk}/leave/")

    assert (response.status_code, response.json()) == (200, {"room": room.pk, "is_open": False})
    told = {group for groups, frame in sent_frames if frame["type"] == "room.closed" for group in groups}
    assert user_group(bob.pk) in told
    with pytest.raises(DomainError) as refused:
        send(bob, room, "가지 마")
    assert refused.value.code == "room_closed"
    assert Message.objects.filter(room=room).count() == 0
    # Leaving again changes nothing and says so
    assert api_as(alice).post(f"/api/v1/chat/rooms/{room.pk}/leave/").json() == {"room": room.pk, "is_open": False}


def test_leaving_a_lobby_room_drops_only_that_membership():
    event = make_event(name="축제")
    leaver, stayer = make_profile().user, make_profile().user
    lobby = chat_rooms.lobby_room_join(user=leaver, event_id=event.pk)
    chat_rooms.lobby_room_join(user=stayer, event_id=event.pk)

    response = api_as(leaver).post(f"/api/v1/chat/rooms/{lobby.pk}/leave/")

    assert (response.status_code, response.json()) == (200, {"room": lobby.pk, "is_open": True})
    assert list(RoomMember.objects.filter(room=lobby).values_list("user_id", flat=True)) == [stayer.pk]


def test_leaving_a_room_one_is_not_in_is_refused_and_changes_nothing():
    _alice, _bob, room = make_pair()

    response = api_as(make_profile().user).post(f"/api/v1/chat/rooms/{room.pk}/leave/")

    assert (response.status_code, response.json()["error"]["code"]) == (404, "not_member")
    room.refresh_from_db()
    assert room.is_open
