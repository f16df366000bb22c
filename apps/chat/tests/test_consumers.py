import json

import pytest
from asgiref.sync import sync_to_async

from apps.accounts.tests.factories import make_profile
from apps.chat import batch as chat_batch
from apps.chat import rooms as chat_rooms
from apps.chat.models import Message
from apps.chat.tests.factories import make_pair
from apps.moderation.blocks import block_create

pytestmark = pytest.mark.django_db(transaction=True)


async def _open(connect_as, user):
    """Connect and read up to `hello` (presence snapshots come before it)."""
    socket = await connect_as(user)
    while (await socket.receive_json_from(timeout=5))["type"] != "hello":
        pass
    return socket


async def _next(socket, *, skip=("presence",)) -> dict:
    while True:
        frame = await socket.receive_json_from(timeout=5)
        if frame["type"] not in skip:
            return frame


async def _quiet(socket, *, skip=("presence",)) -> bool:
    """True when nothing but `skip` frames arrives within 0.3 s."""
    while not await socket.receive_nothing(timeout=0.3):
        if (await socket.receive_json_from())["type"] not in skip:
            return False
    return True


async def test_send_acks_the_sender_and_reaches_the_partner(connect_as):
    alice, bob, room = await sync_to_async(make_pair)()
    alice_socket, bob_socket = await _open(connect_as, alice), await _open(connect_as, bob)
    await alice_socket.send_json_to({"type": "message.send", "room": room.pk, "client_msg_id": "c1", "body": "안녕"})
    ack = await _next(alice_socket, skip=("presence", "message.new"))
    assert {k: ack[k] for k in ("type", "room", "client_msg_id", "seq", "duplicate")} == {
        "type": "message.ack",
        "room": room.pk,
        "client_msg_id": "c1",
        "seq": 1,
        "duplicate": False,
    }
    delivered = await _next(bob_socket)
    assert (delivered["type"], delivered["seq"], delivered["body"], delivered["sender"]) == ("message.new", 1, "안녕", alice.pk)
    assert ack["message"] == {key: value for key, value in delivered.items() if key != "type"}

    await alice_socket.send_json_to({"type": "message.send", "room": room.pk, "client_msg_id": "c1", "body": "안녕"})
    again = await _next(alice_socket, skip=("presence",))
    assert (again["type"], again["seq"], again["duplicate"], "message" in again) == ("message.ack", 1, True, False)
    assert await bob_socket.receive_nothing(timeout=0.3)
    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def test_the_sending_socket_gets_its_message_in_the_ack_and_the_senders_other_tab_gets_it_live(connect_as):
    alice, bob, room = await sync_to_async(make_pair)()
    sending_tab, other_tab = await _open(connect_as, alice), await _open(connect_as, alice)
    bob_socket = await _open(connect_as, bob)
    await sending_tab.send_json_to({"type": "message.send", "room": room.pk, "client_msg_id": "t1", "body": "두 탭"})
    ack = await _next(sending_tab)
    assert (ack["type"], ack["message"]["seq"], ack["message"]["body"]) == ("message.ack", 1, "두 탭")
    live = await _next(other_tab)
    assert (live["type"], live["seq"], live["client_msg_id"]) == ("message.new", 1, "t1")
    assert (await _next(bob_socket))["type"] == "message.new"
    assert await _quiet(sending_tab)

    # The receipt goes to the partner (and the reader's other sockets), never back to the reading socket.
    await bob_socket.send_json_to({"type": "message.read", "room": room.pk, "seq": 1})
    for tab in (sending_tab, other_tab):
        assert await _next(tab) == {"type": "message.read", "room": room.pk, "user": bob.pk, "seq": 1}
    assert await _quiet(bob_socket)
    for socket in (sending_tab, other_tab, bob_socket):
        await socket.disconnect()


async def test_resume_replays_missing_messages_in_order_and_ranges_fill_gaps(connect_as):
    alice, bob, room = await sync_to_async(make_pair)()
    for index in range(4):
        await sync_to_async(chat_batch.message_send)(
            sender_id=alice.pk, room_id=room.pk, client_msg_id=f"m{index}", body=f"#{index + 1}"
        )
    bob_socket = await _open(connect_as, bob)
    await bob_socket.send_json_to({"type": "resume", "rooms": {str(room.pk): 1}})
    batch = await _next(bob_socket)
    assert (batch["type"], [m["seq"] for m in batch["messages"]], batch["last_seq"]) == ("message.batch", [2, 3, 4], 4)

    await bob_socket.send_json_to({"type": "message.range", "room": room.pk, "after_seq": 0, "until_seq": 2})
    assert [m["body"] for m in (await _next(bob_socket))["messages"]] == ["#1", "#2"]
    await bob_socket.disconnect()


async def test_text_postgresql_cannot_store_is_refused_and_an_escaped_emoji_is_not(connect_as):
    alice, _bob, room = await sync_to_async(make_pair)()
    socket = await _open(connect_as, alice)
    # given a body with a NUL character, escaped as JSON allows
    await socket.send_to(text_data=json.dumps({"type": "message.send", "room": room.pk, "client_msg_id": "n", "body": "a\x00b"}))
    refused = await _next(socket)
    assert (refused["type"], refused["code"]) == ("error", "invalid_frame")
    # then nothing is stored, and the socket still works: an emoji sent as an escaped
    # surrogate pair (as json.dumps writes it) is one character, stored and acknowledged
    escaped = json.dumps({"type": "message.send", "room": room.pk, "client_msg_id": "e", "body": "좋아 😀"})
    assert "\\ud83d\\ude00" in escaped
    await socket.send_to(text_data=escaped)
    ack = await _next(socket)
    assert (ack["type"], ack["seq"], ack["message"]["body"]) == ("message.ack", 1, "좋아 😀")
    assert await sync_to_async(lambda: list(Message.objects.filter(room=room).values_list("body", flat=True)))() == ["좋아 😀"]
    await socket.disconnect()


async def test_a_replayed_message_is_the_frame_the_partner_got_live(connect_as):
    alice, bob, room = await sync_to_async(make_pair)()
    alice_socket, bob_socket = await _open(connect_as, alice), await _open(connect_as, bob)
    await alice_socket.send_json_to({"type": "message.send", "room": room.pk, "client_msg_id": "live", "body": "다시 보기"})
    live = await _next(bob_socket)
    assert live["type"] == "message.new"

    await bob_socket.send_json_to({"type": "message.range", "room": room.pk, "after_seq": 0, "until_seq": 5, "ref": "gap"})
    batch = await _next(bob_socket)
    # until_seq beyond the room's end stops at its last message
    assert (batch["type"], batch["last_seq"]) == ("message.batch", 1)
    assert batch["messages"] == [{key: value for key, value in live.items() if key != "type"}]
    for socket in (alice_socket, bob_socket):
        await socket.disconnect()


async def test_a_range_of_someone_elses_room_is_refused_and_reveals_nothing(connect_as):
    alice, _bob, room = await sync_to_async(make_pair)()
    await sync_to_async(chat_batch.message_send)(sender_id=alice.pk, room_id=room.pk, client_msg_id="m", body="secret")
    outsider = await sync_to_async(lambda: make_profile().user)()
    outsider_socket = await _open(connect_as, outsider)
    await outsider_socket.send_json_to({"type": "message.range", "room": room.pk, "after_seq": 0, "until_seq": 1, "ref": "gap"})
    refused = await _next(outsider_socket)
    assert (refused["type"], refused["code"], refused["ref"]) == ("error", "not_member", "gap")
    assert await _quiet(outsider_socket)
    await outsider_socket.disconnect()


async def test_resume_far_behind_asks_for_a_reload(connect_as, settings):
    settings.CHAT_SEND_RATE_LIMIT = 1000
    alice, bob, room = await sync_to_async(make_pair)()

    def send_many():
        for index in range(501):
            chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id=f"m{index}", body="x")

    await sync_to_async(send_many)()
    bob_socket = await _open(connect_as, bob)
    await bob_socket.send_json_to({"type": "resume", "rooms": {str(room.pk): 0}})
    assert await _next(bob_socket) == {"type": "room.reload", "room": room.pk, "last_seq": 501, "partner_read_seq": 0}
    await bob_socket.disconnect()


async def test_a_receipt_sent_while_the_partner_was_away_comes_with_the_partners_resume(connect_as):
    alice, bob, room = await sync_to_async(make_pair)()
    await sync_to_async(chat_batch.message_send)(sender_id=alice.pk, room_id=room.pk, client_msg_id="m", body="읽어요?")
    # Given Bob reads Alice's message while no socket of Alice's is open to hear it live
    bob_socket = await _open(connect_as, bob)
    await bob_socket.send_json_to({"type": "message.read", "room": room.pk, "seq": 1})
    assert await _quiet(bob_socket)

    # When Alice comes back holding everything, her resume tells her the message was read
    alice_socket = await _open(connect_as, alice)
    await alice_socket.send_json_to({"type": "resume", "rooms": {str(room.pk): 1}})
    batch = await _next(alice_socket)
    assert (batch["type"], batch["messages"], batch["partner_read_seq"]) == ("message.batch", [], 1)
    for socket in (alice_socket, bob_socket):
        await socket.disconnect()


async def test_read_receipts_typing_and_presence_reach_the_partner(connect_as):
    alice, bob, room = await sync_to_async(make_pair)()
    await sync_to_async(chat_batch.message_send)(sender_id=alice.pk, room_id=room.pk, client_msg_id="m", body="hi")
    alice_socket = await _open(connect_as, alice)
    bob_socket = await _open(connect_as, bob)
    online = await _next(alice_socket, skip=())
    assert (online["type"], online["user"], online["state"]) == ("presence", bob.pk, "online")

    await bob_socket.send_json_to({"type": "message.read", "room": room.pk, "seq": 1})
    assert await _next(alice_socket) == {"type": "message.read", "room": room.pk, "user": bob.pk, "seq": 1}

    await bob_socket.send_json_to({"type": "typing", "room": room.pk})
    assert await _next(alice_socket) == {"type": "typing", "room": room.pk, "user": bob.pk, "expires_in_s": 5}
    await bob_socket.send_json_to({"type": "typing", "room": room.pk})  # throttled
    await bob_socket.send_json_to({"type": "presence.set", "state": "away"})
    away = await _next(alice_socket, skip=("typing",))
    assert (away["user"], away["state"]) == (bob.pk, "away")

    await bob_socket.disconnect()
    offline = await _next(alice_socket, skip=("typing",))
    assert (offline["user"], offline["state"]) == (bob.pk, "offline") and offline["last_seen"]
    await alice_socket.disconnect()


async def test_closing_a_room_tells_the_partner_and_later_sends_get_an_error(connect_as):
    alice, bob, room = await sync_to_async(make_pair)()
    alice_socket, bob_socket = await _open(connect_as, alice), await _open(connect_as, bob)
    await sync_to_async(chat_rooms.room_leave)(user=alice, room_id=room.pk)
    assert await _next(bob_socket) == {"type": "room.closed", "room": room.pk, "by": alice.pk}
    await bob_socket.send_json_to({"type": "message.send", "room": room.pk, "client_msg_id": "late", "body": "왜요?", "ref": "r"})
    error = await _next(bob_socket, skip=("presence", "room.closed"))
    assert (error["type"], error["code"], error["ref"]) == ("error", "room_closed", "r")
    await alice_socket.disconnect()
    await bob_socket.disconnect()


BAD_SENDS = [
    ({"room": "ROOM", "client_msg_id": "x", "body": "  "}, "body_empty"),
    ({"room": "ROOM", "client_msg_id": "x", "body": "가" * 1001}, "body_too_long"),
    ({"room": "ROOM", "client_msg_id": "x"}, "invalid_frame"),
    ({"room": "abc", "client_msg_id": "x", "body": "hi"}, "invalid_frame"),
    ({"room": 2**63, "client_msg_id": "x", "body": "hi"}, "invalid_frame"),  # past PostgreSQL's bigint
    ({"room": "OTHER", "client_msg_id": "x", "body": "hi"}, "not_member"),
    ({"room": "ROOM", "client_msg_id": "", "body": "hi"}, "invalid_frame"),
]


@pytest.mark.parametrize(("fields", "code"), BAD_SENDS)
async def test_bad_sends_get_an_error_frame_socket_stays_open_nothing_stored(connect_as, fields, code):
    alice, _bob, room = await sync_to_async(make_pair)()
    _c, _d, other = await sync_to_async(make_pair)(nicknames=("캐럴", "데이브"))
    socket = await _open(connect_as, alice)
    frame = {"type": "message.send", **fields}
    frame["room"] = {"ROOM": room.pk, "OTHER": other.pk}.get(frame.get("room"), frame.get("room"))
    await socket.send_json_to(frame)
    error = await _next(socket)
    assert (error["type"], error["code"]) == ("error", code) and error["message"]
    await socket.send_json_to({"type": "ping"})
    assert (await _next(socket))["type"] == "pong"
    assert await sync_to_async(Message.objects.count)() == 0
    await socket.disconnect()


@pytest.mark.parametrize(
    ("raw", "code"),
    [("{oops", "malformed_json"), (json.dumps({"type": "message.explode"}), "unknown_type"), (b"\x00", "binary_not_supported")],
)
async def test_garbage_frames_get_an_error_and_nothing_is_stored(connect_as, raw, code):
    alice, _bob, _room = await sync_to_async(make_pair)()
    socket = await _open(connect_as, alice)
    await (socket.send_to(bytes_data=raw) if isinstance(raw, bytes) else socket.send_to(text_data=raw))
    assert (await _next(socket))["code"] == code
    await socket.send_json_to({"type": "ping"})
    assert (await _next(socket))["type"] == "pong"
    assert await sync_to_async(Message.objects.count)() == 0
    await socket.disconnect()


async def test_blocked_pair_and_rate_limit_get_error_frames(connect_as, settings):
    settings.CHAT_SEND_RATE_LIMIT = 2
    alice, bob, room = await sync_to_async(make_pair)()
    socket = await _open(connect_as, alice)
    for index in range(2):
        await socket.send_json_to({"type": "message.send", "room": room.pk, "client_msg_id": f"m{index}", "body": "hi"})
        assert (await _next(socket, skip=("presence", "message.new")))["type"] == "message.ack"
    await socket.send_json_to({"type": "message.send", "room": room.pk, "client_msg_id": "m3", "body": "hi"})
    limited = await _next(socket, skip=("presence", "message.new"))
    assert (limited["code"], limited["retry_after_s"]) == ("rate_limited", 10)

    settings.CHAT_SEND_RATE_LIMIT = 100
    await sync_to_async(block_create)(blocker=bob, blocked_user_id=alice.pk)
    # A block ends the pair's chat at once: the room closes, later sends are refused.
    assert (await _next(socket, skip=("presence", "message.new")))["type"] == "room.closed"
    await socket.send_json_to({"type": "message.send", "room": room.pk, "client_msg_id": "m4", "body": "hi"})
    # (A socket in both the room's group and its user's group gets room.closed twice.)
    assert (await _next(socket, skip=("presence", "message.new", "room.closed")))["code"] == "room_closed"
    assert await sync_to_async(Message.objects.count)() == 2
    await socket.disconnect()


async def test_unread_sync_answers_each_direct_rooms_unread_count_and_last_seq(connect_as):
    # given Bob wrote Alice twice and Alice read the first
    alice, bob, room = await sync_to_async(make_pair)()
    for cmid in ("u1", "u2"):
        await sync_to_async(chat_batch.message_send)(sender_id=bob.pk, room_id=room.pk, client_msg_id=cmid, body="안녕")
    await sync_to_async(chat_batch.room_mark_read)(user_id=alice.pk, room_id=room.pk, seq=1)
    alice_socket = await _open(connect_as, alice)
    # when her page asks for the badge
    await alice_socket.send_json_to({"type": "chat.unread_sync"})
    # then she hears one unread message, and the room's last seq to keep it live from
    assert await _next(alice_socket) == {"type": "chat.unread", "total": 1, "rooms": {str(room.pk): {"unread": 1, "last_seq": 2}}}
    await alice_socket.disconnect()
