"""The organizer console over real WebSockets: staff only, both consoles see a press, refusals are error frames."""

import pytest
from asgiref.sync import sync_to_async

from apps.accounts.tests.factories import make_user
from apps.rounds import services
from apps.rounds.models import Round
from apps.rounds.tests.factories import checked_in_students, make_rounds_event
from apps.rounds.tests.test_consumers import receive_until

pytestmark = pytest.mark.django_db(transaction=True)


def staff_member():
    user = make_user()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def event_with_a_round():
    event = make_rounds_event()
    students = checked_in_students(event, "FM")
    return event, students, services.round_start(event_id=event.pk, number=1)


async def test_two_consoles_see_one_press_and_the_late_press_is_told_it_was_already_done(connect_as):
    event, (woman, man), round_ = await sync_to_async(event_with_a_round)()
    consoles = []
    for staff in [await sync_to_async(staff_member)() for _ in range(2)]:
        socket = await connect_as(staff)
        await receive_until(socket, "hello")
        await socket.send_json_to({"type": "console.subscribe", "event": event.pk})
        state = await receive_until(socket, "console.state")
        assert (state["round"]["id"], state["round"]["phase"], state["round"]["paused"]) == (round_.pk, "talking", False)
        assert state["allowed"] == ["end", "pause", "extend", "skip"]
        consoles.append(socket)
    student = await connect_as(woman)
    await receive_until(student, "hello")

    press = {"type": "console.action", "event": event.pk, "action": "pause", "round": round_.pk, "version": round_.version}
    await consoles[0].send_json_to({**press, "ref": "p1"})
    assert await receive_until(consoles[0], "console.done") == {"type": "console.done", "event": event.pk, "action": "pause"}
    for socket in consoles:
        state = await receive_until(socket, "console.state")
        assert state["round"]["paused"] is True and "resume" in state["allowed"]
    clock = await receive_until(student, "round.clock")
    assert (clock["paused"], clock["change"], clock["room"] is not None) == (True, "paused", True)

    await consoles[1].send_json_to({**press, "ref": "p2"})
    error = await receive_until(consoles[1], "error")
    assert (error["code"], error["ref"]) == ("already_done", "p2")
    assert "이미" in error["message"]
    assert await sync_to_async(lambda: Round.objects.get(pk=round_.pk).version)() == round_.version + 1


async def test_students_cannot_use_the_console_and_bad_presses_keep_the_socket_open(connect_as):
    event, (woman, _), round_ = await sync_to_async(event_with_a_round)()
    student = await connect_as(woman)
    await receive_until(student, "hello")
    for frame in (
        {"type": "console.subscribe", "event": event.pk},
        {"type": "console.action", "event": event.pk, "action": "end", "round": round_.pk, "version": 1},
    ):
        await student.send_json_to(frame)
        assert (await receive_until(student, "error"))["code"] == "forbidden"
    staff = await connect_as(await sync_to_async(staff_member)())
    await receive_until(staff, "hello")
    for frame, code in (
        ({"type": "console.action", "event": event.pk, "action": "resume", "round": round_.pk, "version": 1}, "not_paused"),
        ({"type": "console.action", "event": event.pk, "action": "nap", "round": round_.pk, "version": 1}, "invalid_action"),
        ({"type": "console.action", "event": "x", "action": "end"}, "invalid_frame"),
        ({"type": "console.subscribe", "event": 999999}, "event_not_found"),
    ):
        await staff.send_json_to(frame)
        assert (await receive_until(staff, "error"))["code"] == code
    await staff.send_json_to({"type": "ping"})
    assert (await receive_until(staff, "pong"))["type"] == "pong"
    assert await sync_to_async(lambda: Round.objects.get(pk=round_.pk).version)() == round_.version
