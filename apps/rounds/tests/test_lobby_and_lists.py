"""A rounds event in the lobby and the chat list: check-in counts instead of queue counts; round rooms stay out of the list."""

from datetime import timedelta

import pytest
from django.test import Client

from apps.accounts.tests.factories import make_user
from apps.chat.batch import message_send
from apps.chat.selectors import room_list_for_user, unread_total_for_user
from apps.core.errors import DomainError
from apps.events.selectors import lobby_counts
from apps.matching.models import Match
from apps.rounds import console, services
from apps.rounds.models import RoundPair
from apps.rounds.tests.factories import checked_in_students, make_rounds_event

pytestmark = pytest.mark.django_db


def test_a_round_room_stays_out_of_the_chat_list_and_the_lasting_chat_appears_after_a_mutual_yes():
    event = make_rounds_event()
    woman, man = checked_in_students(event, "FM")
    round_ = services.round_start(event_id=event.pk, number=1)
    pair = RoundPair.objects.get(round=round_)
    message_send(sender_id=man.pk, room_id=pair.room_id, client_msg_id="hi", body="안녕하세요")

    assert room_list_for_user(user_id=woman.pk) == []
    assert unread_total_for_user(user_id=woman.pk) == 0

    services.round_talk_end(round_id=round_.pk, now=round_.talk_ends_at)
    for user in (woman, man):
        services.round_answer(user_id=user.pk, round_id=round_.pk, answer="yes", now=round_.talk_ends_at)
    services.round_finish(round_id=round_.pk, now=round_.break_ends_at)

    match = Match.objects.get(event=event)
    assert [room["id"] for room in room_list_for_user(user_id=woman.pk)] == [match.room_id]


def test_the_lobby_of_a_rounds_event_counts_check_ins_and_the_round_instead_of_the_queue():
    event = make_rounds_event()
    woman, man, other = checked_in_students(event, "FMM")

    assert {key: value for key, value in lobby_counts(event_id=event.pk).items() if key.startswith(("checked", "round"))} == {
        "checked_in_M": 2,
        "checked_in_F": 1,
        "round": 0,
    }
    services.round_start(event_id=event.pk, number=1)
    assert lobby_counts(event_id=event.pk)["round"] == 1
    client = Client()
    client.force_login(woman)
    page = client.get(f"/events/{event.pk}/").content.decode()
    assert 'data-count="checked_in_M">2<' in page and 'data-count="round">1<' in page
    assert 'data-count="waiting_M"' not in page


def test_checking_in_after_the_organizer_ended_the_event_is_refused_and_changes_nothing():
    event = make_rounds_event()
    (woman,) = checked_in_students(event, "F")
    services.checkin_leave(user_id=woman.pk, event_id=event.pk)
    staff = make_user()
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    console.console_act(staff_id=staff.pk, event_id=event.pk, action="end", round_id=None, version=None)

    with pytest.raises(DomainError) as error:
        services.checkin(user=woman, event_id=event.pk)

    assert error.value.code == "event_ended"
    assert services.clock_tick(event_id=event.pk, now=event.starts_at + timedelta(hours=1)).started is None
