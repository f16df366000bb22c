"""Round frames through real WebSockets on the real ASGI application and the real channel layer."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from apps.accounts.models import University
from apps.accounts.tests.factories import make_profile
from apps.rounds import services
from apps.rounds.models import CheckIn
from apps.rounds.tests.factories import make_rounds_event

pytestmark = pytest.mark.django_db(transaction=True)


async def receive_until(communicator, frame_type: str, *, timeout: float = 5) -> dict:
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == frame_type:
            return frame


def two_students():
    seoul, busan = University.objects.get(name_ko="서울대학교"), University.objects.get(name_ko="부산대학교")
    return make_profile(gender="F", seeking="M", university=seoul).user, make_profile(
        gender="M", seeking="F", university=busan
    ).user


async def test_check_in_by_frame_then_the_round_seats_both_sockets_and_answers_come_back(connect_as):
    event = await sync_to_async(make_rounds_event)()
    woman, man = await sync_to_async(two_students)()
    sockets = []
    for user in (woman, man):
        socket = await connect_as(user)
        await receive_until(socket, "hello")
        await socket.send_json_to({"type": "round.checkin", "event": event.pk})
        reply = await receive_until(socket, "round.checked_in")
        assert (reply["checked_in"], reply["next_round"]) == (True, 1)
        sockets.append(socket)

    round_ = await sync_to_async(services.round_start)(event_id=event.pk, number=1)

    seated = [await receive_until(socket, "round.seated") for socket in sockets]
    assert [frame["partner"]["user_id"] for frame in seated] == [man.pk, woman.pk]
    assert seated[0]["room"] == seated[1]["room"]
    await sockets[0].send_json_to({"type": "round.answer", "round": round_.pk, "answer": "yes", "ref": "a1"})
    error = await receive_until(sockets[0], "error")
    assert (error["code"], error["ref"]) == ("round_not_over", "a1")

    await sync_to_async(services.round_talk_end)(round_id=round_.pk, now=round_.talk_ends_at)
    ended = await receive_until(sockets[0], "round.talk_ended")
    assert ended["room"] == seated[0]["room"]
    await sockets[0].send_json_to({"type": "round.answer", "round": round_.pk, "answer": "yes"})
    assert await receive_until(sockets[0], "round.answered") == {"type": "round.answered", "round": round_.pk, "answer": "yes"}
    await sockets[0].send_json_to({"type": "round.answer", "round": round_.pk, "answer": "no"})
    assert (await receive_until(sockets[0], "error"))["code"] == "already_answered"


async def test_bad_round_frames_get_error_frames_and_the_socket_stays_open(connect_as):
    ended = await sync_to_async(make_rounds_event)(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )
    woman, _man = await sync_to_async(two_students)()
    socket = await connect_as(woman)
    await receive_until(socket, "hello")

    for frame, code in (
        ({"type": "round.checkin", "event": ended.pk}, "event_ended"),
        ({"type": "round.checkin", "event": "x"}, "invalid_frame"),
        ({"type": "round.answer", "round": 999999, "answer": "yes"}, "not_seated"),
        ({"type": "round.answer", "round": 1, "answer": 5}, "invalid_frame"),
    ):
        await socket.send_json_to(frame)
        assert (await receive_until(socket, "error"))["code"] == code
    assert not await sync_to_async(CheckIn.objects.exists)()
    await socket.send_json_to({"type": "ping"})
    assert (await receive_until(socket, "pong"))["type"] == "pong"
