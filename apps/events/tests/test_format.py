"""The event format and its round settings: staff edit them in the admin; the database holds the ranges."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client

from apps.accounts.tests.factories import make_user
from apps.events.models import Event, EventFormat, RevealTiming
from apps.events.tests.factories import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client():
    user = make_user()
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    client.force_login(user)
    return client


def admin_form(event: Event, **changes) -> dict:
    fields = {
        "name": event.name,
        "slug": event.slug,
        "description": "",
        "rules": "",
        "signup_capacity": "",
        "embed_origins": "",
        "nationwide": "on",
        "starts_at_0": event.starts_at.strftime("%Y-%m-%d"),
        "starts_at_1": event.starts_at.strftime("%H:%M:%S"),
        "ends_at_0": event.ends_at.strftime("%Y-%m-%d"),
        "ends_at_1": event.ends_at.strftime("%H:%M:%S"),
        "state_override": "",
        "capacity": "",
        "allow_same_university": "on",
        "accept_timeout_s": "20",
        "max_wait_s": "300",
        "format": "rounds",
        "rounds_count": "4",
        "round_minutes": "7",
        "break_s": "90",
        "checkin_window_s": "300",
        "reveal": "at_end",
    }
    fields.update(changes)
    return fields


def test_staff_switch_an_event_to_rounds_in_the_admin(staff_client):
    event = make_event()
    assert event.format == EventFormat.QUEUE

    response = staff_client.post(f"/admin/events/event/{event.pk}/change/", admin_form(event))

    assert response.status_code == 302
    event.refresh_from_db()
    assert (event.format, event.rounds_count, event.round_minutes, event.break_s, event.checkin_window_s, event.reveal) == (
        EventFormat.ROUNDS,
        4,
        7,
        90,
        300,
        RevealTiming.AT_END,
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("round_minutes", "1", "A round lasts 2 to 15 minutes."),
        ("round_minutes", "16", "A round lasts 2 to 15 minutes."),
        ("rounds_count", "0", "An event has 1 to 30 rounds."),
        ("break_s", "5", "A break lasts 15 to 900 seconds."),
        ("checkin_window_s", "30", "The check-in window is 60 to 7,200 seconds."),
        ("format", "carousel", "Select a valid choice"),
    ],
)
def test_the_admin_refuses_settings_out_of_range(staff_client, field, value, message):
    event = make_event()

    response = staff_client.post(
        f"/admin/events/event/{event.pk}/change/", admin_form(event, **{field: value}), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    event.refresh_from_db()
    assert event.format == EventFormat.QUEUE


@pytest.mark.parametrize(
    ("field", "value"),
    [("round_minutes", 1), ("round_minutes", 16), ("rounds_count", 31), ("break_s", 901), ("format", "x"), ("reveal", "x")],
)
def test_the_database_refuses_settings_out_of_range(field, value):
    event = make_event()
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(**{field: value})
