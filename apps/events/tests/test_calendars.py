import pytest
from django.utils import timezone

from apps.accounts.tests.factories import make_profile
from apps.core.errors import DomainError
from apps.events import calendars, signups
from apps.events.tests.factories import make_scheduled_event

pytestmark = pytest.mark.django_db


def test_an_event_calendar_file_has_the_times_in_utc_and_escaped_text():
    event = make_scheduled_event(name="캠퍼스 나이트; 서울, 부산", slug="campus-night", description="첫 줄\n둘째 줄")
    event.starts_at = timezone.datetime(2026, 12, 24, 19, 0, tzinfo=timezone.get_fixed_timezone(9 * 60))
    event.ends_at = timezone.datetime(2026, 12, 24, 21, 0, tzinfo=timezone.get_fixed_timezone(9 * 60))

    text = calendars.calendar_text(events=[event], name=event.name)

    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert f"UID:event-{event.pk}@matchminds" in lines
    assert "DTSTART:20261224T100000Z" in lines
    assert "DTEND:20261224T120000Z" in lines
    assert "SUMMARY:캠퍼스 나이트\\; 서울\\, 부산" in lines
    assert "URL:http://127.0.0.1:8000/events/campus-night/" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:첫 줄\\n둘째 줄\\n\\nhttp://127.0.0.1:8000/events/campus-night/" in unfolded


def test_the_feed_lists_the_users_sign_ups_and_dies_when_reset():
    user = make_profile().user
    kept = make_scheduled_event(name="kept")
    dropped = make_scheduled_event(name="dropped")
    make_scheduled_event(name="not mine")
    signups.signup_create(user=user, event_id=kept.pk)
    signups.signup_cancel(user=user, signup_id=signups.signup_create(user=user, event_id=dropped.pk).pk)
    old_token = calendars.calendar_feed_for_user(user=user).token
    assert calendars.calendar_feed_for_user(user=user).token == old_token

    owner, events = calendars.calendar_feed_events(token=old_token)
    assert (owner, [event.name for event in events]) == (user, ["kept"])

    new_token = calendars.calendar_feed_reset(user=user).token
    assert new_token != old_token
    with pytest.raises(DomainError) as error:
        calendars.calendar_feed_events(token=old_token)
    assert (error.value.code, error.value.http_status) == ("calendar_token_invalid", 404)
    assert [event.name for event in calendars.calendar_feed_events(token=new_token)[1]] == ["kept"]
