"""The per-event dashboard counts that event's chats and reports, and never counts staff."""

import pytest

from apps.accounts.tests.factories import make_profile, make_user
from apps.chat.models import Room, RoomKind, RoomMember
from apps.dashboard import selectors, services
from apps.events import services as event_services
from apps.events.tests.factories import make_event
from apps.moderation import reports as moderation_reports

pytestmark = pytest.mark.django_db(transaction=True)


def _connect(user_id: int) -> None:
    services.socket_opened(user_id=user_id)


def test_students_chatting_in_an_event_and_their_report_count_in_that_event_and_staff_never_do():
    # given a live event, a second event, and two students matched in a chat room of the first
    event, other_event = make_event(name="봄 미팅"), make_event(name="가을 미팅")
    woman, man = make_profile(gender="F", seeking="M").user, make_profile(gender="M", seeking="F").user
    room = Room.objects.create(kind=RoomKind.DIRECT, event=event)
    for user in (woman, man):
        RoomMember.objects.create(room=room, user=user)
    staff = make_user()
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    # when both came through the lobby, left it for their chat and keep their socket alive
    for user in (woman, man, staff):
        _connect(user.pk)
        event_services.lobby_presence_touch(user_id=user.pk, event_id=event.pk)
        event_services.lobby_presence_leave(user_id=user.pk, event_id=event.pk)
        services.socket_heartbeat(user_id=user.pk)
    # and the woman reports the man from the chat
    moderation_reports.report_create(reporter=woman, reported_user_id=man.pk, reason="harassment", room_id=room.pk)

    # then the event shows both students online (one man, one woman) and the report
    tiles = selectors.dashboard_snapshot(event_id=event.pk)["tiles"]
    assert (tiles["online"], tiles["online_m"], tiles["online_f"], tiles["reports_15m"]) == (2, 1, 1, 1)
    # and all events agree, without the staff member
    everywhere = selectors.dashboard_snapshot(event_id=None)["tiles"]
    assert (everywhere["online"], everywhere["reports_15m"]) == (2, 1)
    # and the other event has nobody and no report
    elsewhere = selectors.dashboard_snapshot(event_id=other_event.pk)["tiles"]
    assert (elsewhere["online"], elsewhere["reports_15m"]) == (0, 0)


def test_closing_the_last_socket_leaves_the_event_too():
    event = make_event()
    student = make_profile().user
    _connect(student.pk)
    event_services.lobby_presence_touch(user_id=student.pk, event_id=event.pk)
    services.socket_closing(user_id=student.pk, channel_name="gone")
    assert selectors.dashboard_snapshot(event_id=event.pk)["tiles"]["online"] == 0
    assert selectors.dashboard_snapshot(event_id=None)["tiles"]["online"] == 0
