from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from apps.accounts.models import University
from apps.accounts.tests.factories import make_profile, make_user
from apps.events import selectors, services
from apps.events.tests.factories import make_event

pytestmark = pytest.mark.django_db


def test_event_list_shows_live_first_then_upcoming_and_hides_ended():
    now = timezone.now()
    upcoming = make_event(name="later", starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=1, hours=2))
    live = make_event(name="now")
    make_event(name="over", starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1))
    forced_end = make_event(name="closed", state_override="ended")
    assert [event.name for event in selectors.event_list_visible()] == [live.name, upcoming.name]
    assert forced_end.state == "ended"


def test_admin_override_opens_a_scheduled_event():
    now = timezone.now()
    event = make_event(starts_at=now + timedelta(days=1), ends_at=now + timedelta(days=2), state_override="live")
    assert event.is_live


def test_join_problems_explain_every_reason():
    now = timezone.now()
    user = make_user()
    scheduled = make_event(starts_at=now + timedelta(hours=1), ends_at=now + timedelta(hours=2))
    codes = [code for code, _ in selectors.event_join_problems(user=user, event=scheduled)]
    assert codes == ["event_not_live", "profile_incomplete"]

    profile = make_profile(user=user, university=University.objects.get(name_ko="부산대학교"))
    seoul_only = make_event(nationwide=False, regions=["seoul"], require_verified=True)
    codes = [code for code, _ in selectors.event_join_problems(user=profile.user, event=seoul_only)]
    assert codes == ["verification_required", "out_of_scope"]

    busan_university_event = make_event(nationwide=False, universities=[profile.university])
    assert selectors.event_join_problems(user=profile.user, event=busan_university_event) == []


def test_underage_user_cannot_join_even_a_live_event():
    today = timezone.localdate()
    profile = make_profile(birth_date=today.replace(year=today.year - 18))
    codes = [code for code, _ in selectors.event_join_problems(user=profile.user, event=make_event())]
    assert codes == ["underage"]


def test_full_event_turns_away_newcomers_but_not_those_inside():
    event = make_event(capacity=1)
    inside, newcomer = make_profile(), make_profile()
    services.lobby_presence_touch(user_id=inside.user_id, event_id=event.pk)
    assert selectors.event_join_problems(user=inside.user, event=event) == []
    assert [code for code, _ in selectors.event_join_problems(user=newcomer.user, event=event)] == ["event_full"]


def test_lobby_counts_are_broadcast_once_per_change(sent_frames):
    event = make_event()
    services.lobby_presence_touch(user_id=1, event_id=event.pk)
    with sent_frames():
        assert services.lobby_counts_broadcast(event_id=event.pk) is True
        assert services.lobby_counts_broadcast(event_id=event.pk) is False
    assert sent_frames == [
        (
            [f"event.{event.pk}"],
            {"type": "lobby.counts", "event": event.pk, "counts": {"online": 1, "waiting_M": 0, "waiting_F": 0}},
        )
    ]


@pytest.mark.django_db(transaction=True)
async def test_lobby_enter_frame_joins_the_event_group(connect_as_lobby):
    event = await sync_to_async(make_event)()
    user = await sync_to_async(make_user)()
    communicator = await connect_as_lobby(user)
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    await communicator.send_json_to({"type": "lobby.enter", "event": event.pk})
    assert await communicator.receive_json_from(timeout=5) == {
        "type": "lobby.counts",
        "event": event.pk,
        "counts": {"online": 1, "waiting_M": 0, "waiting_F": 0},
    }
    await communicator.send_json_to({"type": "lobby.enter", "event": 999999})
    assert (await communicator.receive_json_from(timeout=5))["code"] == "event_not_found"
    await communicator.disconnect()
    assert await sync_to_async(selectors.lobby_online_count)(event_id=event.pk) == 0
