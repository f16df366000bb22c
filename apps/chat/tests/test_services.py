import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts import notifications
from apps.accounts.models import NotificationKind
from apps.accounts.tests.factories import make_profile, make_user
from apps.chat import batch as chat_batch
from apps.chat import digest as chat_digest
from apps.chat import receipts as chat_receipts
from apps.chat import rooms as chat_rooms
from apps.chat import selectors
from apps.chat import send as chat_send
from apps.chat.models import Message, Room, RoomMember
from apps.chat.tests.factories import make_pair
from apps.core.errors import DomainError
from apps.events.tests.factories import make_event
from apps.moderation.blocks import block_create
from apps.moderation.models import Block
from apps.realtime.protocol import room_group, user_group

pytestmark = pytest.mark.django_db


def test_room_create_direct_tells_both_members(sent_frames):
    alice, bob = make_profile().user, make_profile().user
    with sent_frames():
        room = chat_rooms.room_create_direct(user_ids=(alice.pk, bob.pk), event_id=None)
    assert sorted(RoomMember.objects.filter(room=room).values_list("user_id", flat=True)) == sorted([alice.pk, bob.pk])
    assert [(groups, frame["type"], frame["room"]["id"]) for groups, frame in sent_frames] == [
        ([user_group(alice.pk)], "room.created", room.pk),
        ([user_group(bob.pk)], "room.created", room.pk),
    ]
    assert sent_frames[0][1]["room"]["partner"]["user_id"] == bob.pk


def test_send_stores_sequenced_message_and_fans_out_after_commit(sent_frames):
    alice, bob, room = make_pair()
    with sent_frames():
        first = chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id="a1", body="  안녕하세요  ")
        second = chat_batch.message_send(sender_id=bob.pk, room_id=room.pk, client_msg_id="b1", body="반가워요")
    assert (first.seq, first.duplicate, second.seq) == (1, False, 2)
    assert list(Message.objects.filter(room=room).order_by("seq").values_list("seq", "body")) == [
        (1, "안녕하세요"),
        (2, "반가워요"),
    ]
    groups, frame = sent_frames[0]
    assert groups == [room_group(room.pk)]
    assert {k: frame[k] for k in ("type", "room", "seq", "sender", "sender_name", "client_msg_id", "body", "kind")} == {
        "type": "message.new",
        "room": room.pk,
        "seq": 1,
        "sender": alice.pk,
        "sender_name": "앨리스",
        "client_msg_id": "a1",
        "body": "안녕하세요",
        "kind": "text",
    }


def test_resend_of_a_client_msg_id_returns_the_original_ack_and_stores_nothing(sent_frames):
    alice, _bob, room = make_pair()
    original = chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id="same", body="한 번만")
    with sent_frames():
        again = chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id="same", body="한 번만")
    assert (again.seq, again.sent_at, again.duplicate) == (original.seq, original.sent_at, True)
    assert Message.objects.filter(room=room).count() == 1
    assert Room.objects.get(pk=room.pk).last_seq == 1
    assert sent_frames == []


def test_one_message_costs_a_fixed_number_of_queries():
    alice, _bob, room = make_pair()
    with CaptureQueriesContext(connection) as queries:
        chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id="q", body="hi")
    # savepoint, rooms, checks | room lock, store (insert, seq bump, sender nickname), release:
    # the same six statements in two round trips carry a batch of any size (see
    # test_a_batch_costs_the_same_queries_as_one_message)
    assert len(queries) == 6


def test_a_batch_costs_the_same_queries_as_one_message():
    senders_and_rooms = []
    for _ in range(5):
        sender, partner = make_profile().user, make_profile(gender="M", seeking="F").user
        senders_and_rooms.append((sender, chat_rooms.room_create_direct(user_ids=(sender.pk, partner.pk))))
    requests = [
        chat_send.SendRequest(sender.pk, room.pk, f"b{number}-{copy}", f"메시지 {copy}")
        for number, (sender, room) in enumerate(senders_and_rooms)
        for copy in range(3)
    ]
    with CaptureQueriesContext(connection) as queries:
        results, _reads = chat_batch.chat_write_batch(sends=requests, reads=[])
    assert len(queries) == 6
    assert [(result.seq, result.duplicate) for result in results] == [(1, False), (2, False), (3, False)] * 5
    assert Message.objects.count() == 15
    assert sorted(Room.objects.values_list("last_seq", flat=True)) == [3] * 5


def test_a_resend_inside_the_same_batch_gets_the_first_copy_ack(sent_frames):
    alice, _bob, room = make_pair()
    first = chat_send.SendRequest(alice.pk, room.pk, "twice", "한 번")
    with sent_frames():
        results, _reads = chat_batch.chat_write_batch(sends=[first, first], reads=[])
    assert [(result.seq, result.duplicate) for result in results] == [(1, False), (1, True)]
    assert results[0].sent_at == results[1].sent_at
    assert Message.objects.filter(room=room).count() == 1
    assert [frame["type"] for _groups, frame in sent_frames] == ["message.new"]


def test_read_receipts_of_a_batch_move_each_pointer_once_to_the_furthest_seq(sent_frames):
    alice, bob, room = make_pair()
    for number in range(3):
        chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id=f"r{number}", body="안녕")
    outsider = make_profile().user
    reads = [
        chat_receipts.ReadRequest(bob.pk, room.pk, 2),
        chat_receipts.ReadRequest(bob.pk, room.pk, 3),
        chat_receipts.ReadRequest(alice.pk, room.pk, 0),
        chat_receipts.ReadRequest(outsider.pk, room.pk, 1),
    ]
    with sent_frames():
        _sends, pointers = chat_batch.chat_write_batch(sends=[], reads=reads)
    assert pointers[:3] == [3, 3, 0]
    assert isinstance(pointers[3], DomainError) and pointers[3].code == "not_member"
    assert RoomMember.objects.get(room=room, user=bob).last_read_seq == 3
    assert [(frame["type"], frame["user"], frame["seq"]) for _groups, frame in sent_frames] == [("message.read", bob.pk, 3)]


@pytest.mark.django_db(transaction=True)
def test_seq_stays_gapless_and_unique_under_concurrent_writers(settings):
    settings.CHAT_SEND_RATE_LIMIT = 1000
    alice, bob, room = make_pair()

    def send(index: int):
        from django.db import connection as thread_connection

        try:
            sender = alice if index % 2 else bob
            return chat_batch.message_send(sender_id=sender.pk, room_id=room.pk, client_msg_id=f"c{index % 40}", body=str(index))
        finally:
            thread_connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(send, range(80)))
    seqs = sorted(Message.objects.filter(room=room).values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) == 40  # 20 ids per sender, each sent twice
    assert Room.objects.get(pk=room.pk).last_seq == 40
    assert sum(1 for result in results if result.duplicate) == 40


def _write_batch_behind_a_room_lock(sends: list[chat_send.SendRequest], *, room: Room, then) -> list:
    """Run chat_write_batch in a thread while another session holds `room`'s lock; once the
    batch waits for that lock, `then(session)` runs and the session commits. Returns the
    batch's send results."""

    def write():
        from django.db import connection as thread_connection

        try:
            return chat_batch.chat_write_batch(sends=sends, reads=[])[0]
        finally:
            thread_connection.close()

    params = connection.get_connection_params()
    # The pool is left last: a failure here first rolls the holder back, freeing the batch.
    with (
        ThreadPoolExecutor(max_workers=1) as pool,
        psycopg.connect(**params, autocommit=True) as watcher,
        psycopg.connect(**params) as holder,
    ):
        holder.execute("SELECT 1 FROM chat_room WHERE id = %s FOR UPDATE", [room.pk])
        writing = pool.submit(write)
        deadline = time.monotonic() + 10
        while not watcher.execute(
            "SELECT 1 FROM pg_locks WHERE NOT granted AND pid NOT IN (pg_backend_pid(), %s)", [holder.info.backend_pid]
        ).fetchone():
            assert time.monotonic() < deadline, "the batch never reached the room's lock"
            time.sleep(0.02)
        then(holder)
        holder.commit()
        return writing.result(timeout=10)


@pytest.mark.django_db(transaction=True)
def test_a_room_closed_while_a_send_waits_for_its_lock_stores_nothing():
    alice, _bob, room = make_pair()

    # The send has passed its checks (the room was open) and waits for the room's lock when it closes.
    (result,) = _write_batch_behind_a_room_lock(
        [chat_send.SendRequest(alice.pk, room.pk, "late", "안녕")],
        room=room,
        then=lambda session: session.execute("UPDATE chat_room SET is_open = false WHERE id = %s", [room.pk]),
    )

    assert isinstance(result, DomainError) and result.code == "room_closed"
    assert Message.objects.count() == 0
    assert Room.objects.get(pk=room.pk).last_seq == 0


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_races_a_twin_send_retries_item_by_item_without_screening_or_counting_again():
    from apps.core.redis import get_redis
    from apps.moderation.models import FlaggedContent

    alice, bob, room = make_pair()
    bob_hits_key = f"ratelimit:{chat_send.send_rate().name}:{bob.pk}"
    bob_hits_before = get_redis().zcard(bob_hits_key)

    def store_the_twin(session) -> None:
        session.execute("UPDATE chat_room SET last_seq = 1 WHERE id = %s", [room.pk])
        session.execute(
            "INSERT INTO chat_message (room_id, seq, sender_id, client_msg_id, kind, body, sent_at)"
            " VALUES (%s, 1, %s, 'twin', 'text', '안녕', now())",
            [room.pk, alice.pk],
        )

    # Given a batch that checked its sends and waits for the room's lock, while another process
    # stores Alice's same send (a resend after a reconnect) and commits
    twin, flagged = _write_batch_behind_a_room_lock(
        [
            chat_send.SendRequest(alice.pk, room.pk, "twin", "안녕"),
            chat_send.SendRequest(bob.pk, room.pk, "b1", "you are a fucking idiot"),
        ],
        room=room,
        then=store_the_twin,
    )

    # Then the batch's insert breaks the idempotency key, and its items are retried one by one:
    # Alice's resend gets the original's ack, Bob's masked message is stored after it
    assert (twin.seq, twin.duplicate) == (1, True)
    assert (flagged.seq, flagged.duplicate, flagged.message["body"]) == (2, False, "you are a **** idiot")
    assert list(Message.objects.filter(room=room).order_by("seq").values_list("client_msg_id", flat=True)) == ["twin", "b1"]
    # and the retry neither flags Bob's text a second time nor counts his send twice
    assert list(FlaggedContent.objects.filter(user=bob).values_list("message_seq", flat=True)) == [2]
    assert get_redis().zcard(bob_hits_key) == bob_hits_before + 1


@pytest.mark.parametrize(
    ("body", "code"),
    [("", "body_empty"), ("   \n ", "body_empty"), ("가" * 1001, "body_too_long")],
)
def test_bad_bodies_are_refused_and_nothing_is_stored(body, code):
    alice, _bob, room = make_pair()
    with pytest.raises(DomainError) as refused:
        chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id="x", body=body)
    assert refused.value.code == code
    assert Message.objects.count() == 0


def test_a_1000_character_body_is_accepted():
    alice, _bob, room = make_pair()
    assert chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id="x", body="가" * 1000).seq == 1


def test_permissions_non_member_closed_room_and_blocks():
    alice, bob, room = make_pair()
    stranger = make_profile().user
    with pytest.raises(DomainError) as refused:
        chat_batch.message_send(sender_id=stranger.pk, room_id=room.pk, client_msg_id="s", body="hi")
    assert refused.value.code == "not_member"

    # The send path refuses on its own even if a block row exists while the room is still
    # open (block_create closes the room too, see the next test).
    Block.objects.create(blocker=bob, blocked=alice)
    with pytest.raises(DomainError) as refused:
        chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id="a", body="hi")
    assert refused.value.code == "blocked"

    chat_rooms.room_close(room_id=room.pk, by_user_id=bob.pk)
    with pytest.raises(DomainError) as refused:
        chat_batch.message_send(sender_id=bob.pk, room_id=room.pk, client_msg_id="b", body="hi")
    assert refused.value.code == "room_closed"
    assert Message.objects.count() == 0
    assert Room.objects.get(pk=room.pk).last_seq == 0


def test_rate_limit_refuses_the_message_over_the_limit(settings):
    alice, _bob, room = make_pair()
    for index in range(chat_send.send_rate().limit):
        chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id=f"m{index}", body="hi")
    with pytest.raises(DomainError) as refused:
        chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id="over", body="hi")
    assert refused.value.code == "rate_limited"
    assert Message.objects.count() == chat_send.send_rate().limit


def test_read_pointer_moves_forward_only_and_never_past_the_last_message(sent_frames):
    alice, bob, room = make_pair()
    for index in range(3):
        chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id=f"m{index}", body="hi")
    with sent_frames():
        assert chat_batch.room_mark_read(user_id=bob.pk, room_id=room.pk, seq=2) == 2
        assert chat_batch.room_mark_read(user_id=bob.pk, room_id=room.pk, seq=1) == 2
        assert chat_batch.room_mark_read(user_id=bob.pk, room_id=room.pk, seq=99) == 3
    assert sent_frames == [
        ([room_group(room.pk)], {"type": "message.read", "room": room.pk, "user": bob.pk, "seq": 2}),
        ([room_group(room.pk)], {"type": "message.read", "room": room.pk, "user": bob.pk, "seq": 3}),
    ]
    rooms = {r["id"]: r for r in selectors.room_list_for_user(user_id=bob.pk)}
    assert (rooms[room.pk]["unread"], rooms[room.pk]["last_message"]["body"]) == (0, "hi")
    assert selectors.room_list_for_user(user_id=alice.pk)[0]["unread"] == 0


def test_lobby_counts_unread_per_message_kakao_style(sent_frames):
    event = make_event(name="축제")
    students = [make_profile().user for _ in range(3)]
    for student in students:
        chat_rooms.lobby_room_join(user=student, event_id=event.pk)
    staff = make_profile().user
    staff.is_staff = True
    staff.save()
    # Staff write in the lobby chat like anyone else; what they write is an announcement
    room = chat_rooms.lobby_room_join(user=staff, event_id=event.pk)
    with sent_frames():
        sent = chat_batch.message_send(
            sender_id=staff.pk, room_id=room.pk, client_msg_id="a1", body="10분 뒤 시작합니다", sender_is_staff=True
        )
    announcement = Message.objects.get(room=room, seq=sent.seq)
    assert announcement.kind == "announcement"
    assert sent_frames[0][1]["unread"] == 3
    with pytest.raises(DomainError) as refused:
        chat_batch.message_send(sender_id=students[0].pk, room_id=announcement.room_id, client_msg_id="x", body="hi")
    assert refused.value.code == "read_only_room"

    chat_batch.room_mark_read(user_id=students[0].pk, room_id=announcement.room_id, seq=1)
    assert selectors.lobby_unread_counts(room_id=announcement.room_id, seqs=[1]) == {1: 2}
    sent_frames.clear()
    with sent_frames():
        assert chat_receipts.lobby_unread_broadcast() == 1
    assert sent_frames == [
        ([room_group(announcement.room_id)], {"type": "room.unread_counts", "room": announcement.room_id, "counts": {"1": 2}})
    ]


def test_staff_without_a_student_profile_join_the_lobby_and_post_announcements():
    event = make_event(name="축제")
    student = make_profile().user
    chat_rooms.lobby_room_join(user=student, event_id=event.pk)
    operator = make_user()
    operator.is_staff = True
    operator.save()

    room = chat_rooms.lobby_room_join(user=operator, event_id=event.pk)
    result = chat_batch.message_send(
        sender_id=operator.pk, room_id=room.pk, client_msg_id="a1", body="2부 시작", sender_is_staff=True
    )

    assert Message.objects.get(room=room, seq=result.seq).kind == "announcement"
    # Others still need what taking part needs, and the lobby's chat stays staff-only
    with pytest.raises(DomainError) as refused:
        chat_rooms.lobby_room_join(user=make_user(), event_id=event.pk)
    assert refused.value.code == "profile_incomplete"
    with pytest.raises(DomainError) as read_only:
        chat_batch.message_send(sender_id=student.pk, room_id=room.pk, client_msg_id="s1", body="저도요")
    assert read_only.value.code == "read_only_room"
    # And staff get a clear 404 for an event that does not exist
    with pytest.raises(DomainError) as missing:
        chat_rooms.lobby_room_join(user=operator, event_id=event.pk + 1000)
    assert missing.value.code == "event_not_found"


def test_room_close_tells_both_at_once_and_is_idempotent(sent_frames):
    alice, bob, room = make_pair()
    with sent_frames():
        chat_rooms.room_leave(user=alice, room_id=room.pk)
        chat_rooms.room_close(room_id=room.pk)
    assert len(sent_frames) == 1
    groups, frame = sent_frames[0]
    assert sorted(groups) == sorted([room_group(room.pk), user_group(alice.pk), user_group(bob.pk)])
    assert frame == {"type": "room.closed", "room": room.pk, "by": alice.pk}


def test_profile_changes_reach_open_rooms(sent_frames):
    alice, _bob, room = make_pair()
    profile = alice.profile
    from apps.accounts import services as account_services

    with sent_frames():
        account_services.profile_save(
            user=alice,
            nickname="새이름",
            gender=profile.gender,
            seeking=profile.seeking,
            birth_date=profile.birth_date,
            university_id=profile.university_id,
            region=profile.region,
            interest_ids=[],
        )
    assert sent_frames == [
        ([room_group(room.pk)], {"type": "profile.updated", "user": alice.pk, "nickname": "새이름", "photo_url": None})
    ]


def test_history_pages_by_seq_cursor():
    alice, bob, room = make_pair()
    for index in range(5):
        chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id=f"m{index}", body=f"#{index + 1}")
    newest = selectors.message_history(user_id=bob.pk, room_id=room.pk, before_seq=None, limit=2)
    assert ([m["seq"] for m in newest["messages"]], newest["next_before_seq"]) == ([4, 5], 4)
    older = selectors.message_history(user_id=bob.pk, room_id=room.pk, before_seq=4, limit=3)
    assert ([m["seq"] for m in older["messages"]], older["next_before_seq"]) == ([1, 2, 3], None)


def test_digest_mails_offline_members_once_with_unsubscribe(settings):
    settings.CHAT_DIGEST_OFFLINE_S = 0
    alice, bob, room = make_pair()
    chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id="m", body="보고 싶어요")
    assert chat_digest.digest_send_due(base_url="https://mm.example", limit=10) == 2  # bob: message; both: new match
    bob_mail = next(m for m in mail.outbox if m.to == [bob.email])
    assert "보고 싶어요" in bob_mail.body
    assert "앨리스" in bob_mail.body
    assert bob_mail.extra_headers["List-Unsubscribe"].startswith("<https://mm.example/accounts/unsubscribe/")
    assert bob_mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert chat_digest.digest_send_due(base_url="https://mm.example", limit=10) == 0

    token = bob_mail.extra_headers["List-Unsubscribe"].strip("<>").rstrip("/").rsplit("/", 1)[1]
    notifications.unsubscribe(token=token)
    assert notifications.may_notify(bob, NotificationKind.DIGEST) is False
    chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id="m2", body="또")
    mail.outbox.clear()
    chat_digest.digest_send_due(base_url="https://mm.example", limit=10)
    assert [m.to for m in mail.outbox] == []


def test_a_block_closes_the_pairs_rooms_and_hides_them_from_both_lists(sent_frames):
    alice, bob, room = make_pair()

    with sent_frames():
        block_create(blocker=bob, blocked_user_id=alice.pk)

    assert Room.objects.get(pk=room.pk).is_open is False
    assert any(frame["type"] == "room.closed" and frame["room"] == room.pk for _groups, frame in sent_frames)
    from apps.chat.selectors import room_list_for_user

    assert room_list_for_user(user_id=alice.pk) == []
    assert room_list_for_user(user_id=bob.pk) == []
