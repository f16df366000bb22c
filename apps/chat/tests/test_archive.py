"""Idle 1:1 chats are archived read-only for both by the hourly beat task."""

import time
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from django.utils import timezone

from apps.chat import batch as chat_batch
from apps.chat import rooms as chat_rooms
from apps.chat import selectors
from apps.chat.archive import rooms_archive_idle
from apps.chat.models import Message, Room
from apps.chat.presence import typing_notify
from apps.chat.tasks import archive_idle_rooms
from apps.chat.tests.factories import make_pair
from apps.core.errors import DomainError
from apps.events.tests.factories import make_event
from apps.realtime.protocol import room_group, user_group

pytestmark = pytest.mark.django_db


def _age_room(room: Room, *, days: float) -> None:
    """Move the room's whole life `days` into the past (the clock cannot wait two weeks)."""
    moment = timezone.now() - timedelta(days=days)
    Room.objects.filter(pk=room.pk).update(created_at=moment)
    Message.objects.filter(room=room).update(sent_at=moment)


def test_rooms_silent_longer_than_the_setting_are_archived_for_both_with_a_notice(settings, sent_frames):
    settings.CHAT_IDLE_ARCHIVE_DAYS = 14
    alice, bob, quiet = make_pair()
    chat_batch.message_send(sender_id=alice.pk, room_id=quiet.pk, client_msg_id="a1", body="안녕하세요")
    _age_room(quiet, days=15)
    _carol, _dave, never_written = make_pair(nicknames=("캐럴", "데이브"))
    _age_room(never_written, days=14.5)
    _erin, _frank, recent = make_pair(nicknames=("에린", "프랭크"))
    chat_batch.message_send(sender_id=_erin.pk, room_id=recent.pk, client_msg_id="e1", body="또 봐요")
    _age_room(recent, days=13)

    with sent_frames():
        archived = archive_idle_rooms()

    assert archived == 2
    states = dict(Room.objects.values_list("pk", "archived_at"))
    assert (states[quiet.pk] is not None, states[never_written.pk] is not None, states[recent.pk]) == (True, True, None)
    assert Room.objects.get(pk=quiet.pk).is_open is False
    frames = [(groups, frame) for groups, frame in sent_frames if frame["room"] == quiet.pk]
    assert frames == [
        (
            [room_group(quiet.pk), user_group(alice.pk), user_group(bob.pk)],
            {"type": "room.archived", "room": quiet.pk, "idle_days": 14},
        )
    ]


def test_archiving_is_idempotent_and_works_through_every_batch(settings):
    rooms = [make_pair(nicknames=(f"가{index}", f"나{index}"))[2] for index in range(5)]
    for room in rooms:
        _age_room(room, days=30)
    assert rooms_archive_idle(batch_size=2) == 5
    assert rooms_archive_idle(batch_size=2) == 0
    assert Room.objects.filter(archived_at__isnull=False).count() == 5


def test_lobbies_and_rooms_closed_otherwise_are_never_archived(settings):
    event = make_event()
    lobby = chat_rooms.lobby_room_for_event(event_id=event.pk)
    _alice, bob, ended = make_pair()
    chat_rooms.room_close(room_id=ended.pk, by_user_id=bob.pk)
    _age_room(lobby, days=60)
    _age_room(ended, days=60)
    assert rooms_archive_idle(batch_size=10) == 0
    assert Room.objects.filter(archived_at__isnull=False).count() == 0


def test_nobody_can_write_or_type_in_an_archived_room_and_nothing_is_stored():
    alice, bob, room = make_pair()
    chat_batch.message_send(sender_id=alice.pk, room_id=room.pk, client_msg_id="a1", body="안녕")
    _age_room(room, days=20)
    rooms_archive_idle(batch_size=10)

    for sender, cmid in ((alice, "a2"), (bob, "b1")):
        with pytest.raises(DomainError) as refused:
            chat_batch.message_send(sender_id=sender.pk, room_id=room.pk, client_msg_id=cmid, body="아직 있어요?")
        assert (refused.value.code, refused.value.http_status) == ("room_archived", 409)
    with pytest.raises(DomainError) as refused:
        typing_notify(user_id=bob.pk, room_id=room.pk)
    assert refused.value.code == "room_archived"
    assert list(Message.objects.filter(room=room).values_list("body", flat=True)) == ["안녕"]
    assert Room.objects.get(pk=room.pk).last_seq == 1


def test_archived_rooms_leave_the_main_list_for_their_own_section_and_stay_readable(settings):
    settings.CHAT_IDLE_ARCHIVE_DAYS = 14
    alice, _bob, old = make_pair()
    chat_batch.message_send(sender_id=alice.pk, room_id=old.pk, client_msg_id="a1", body="예전 대화")
    _age_room(old, days=15)
    rooms_archive_idle(batch_size=10)
    summaries = {room["id"]: room for room in selectors.room_list_for_user(user_id=alice.pk)}
    assert (summaries[old.pk]["is_archived"], summaries[old.pk]["is_open"]) == (True, False)

    client = Client()
    client.force_login(alice)
    page = client.get("/chat/").content.decode()
    main_list, archived_section = page.split("data-archived-section", 1)
    assert f'data-room-id="{old.pk}"' not in main_list
    assert f'data-room-id="{old.pk}"' in archived_section
    assert "보관된 대화" in archived_section
    room_page = client.get(f"/chat/{old.pk}/").content.decode()
    assert "14일 동안 아무도 메시지를 보내지 않아 대화가 보관되었어요" in room_page
    assert client.get("/api/v1/chat/rooms/").json()["rooms"][0]["is_archived"] is True
    history = client.get(f"/api/v1/chat/rooms/{old.pk}/messages/").json()
    assert [message["body"] for message in history["messages"]] == ["예전 대화"]


@pytest.mark.django_db(transaction=True)
async def test_a_send_over_the_socket_into_an_archived_room_gets_a_precise_error(connect_as):
    alice, _bob, room = await sync_to_async(make_pair)()
    await sync_to_async(_age_room)(room, days=30)
    await sync_to_async(rooms_archive_idle)(batch_size=10)
    socket = await connect_as(alice)
    await socket.send_json_to({"type": "message.send", "room": room.pk, "client_msg_id": "late", "body": "있어요?", "ref": "r1"})
    while (frame := await socket.receive_json_from(timeout=5))["type"] != "error":
        pass
    assert (frame["code"], frame["ref"]) == ("room_archived", "r1")
    assert await sync_to_async(Message.objects.filter(room=room).count)() == 0
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_archives_through_a_real_celery_worker(celery_worker_process):
    from celery import current_app

    _alice, _bob, room = make_pair()
    _age_room(room, days=30)

    current_app.send_task("apps.chat.tasks.archive_idle_rooms")

    deadline = time.monotonic() + 30
    while Room.objects.get(pk=room.pk).archived_at is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert Room.objects.get(pk=room.pk).archived_at is not None
