from datetime import timedelta

from django.utils import timezone

from apps.accounts.models import University
from apps.accounts.tests.factories import make_profile
from apps.events.models import Event
from apps.events.tests.factories import make_event
from apps.realtime import presence
from apps.rounds import services


def make_rounds_event(**overrides) -> Event:
    """A live rounds event whose check-in window closed a moment ago: round 1 is due now."""
    now = timezone.now()
    fields = {
        "name": "Rounds",
        "format": "rounds",
        "starts_at": now - timedelta(seconds=61),
        "ends_at": now + timedelta(hours=2),
        "checkin_window_s": 60,
        "rounds_count": 3,
        "round_minutes": 2,
        "break_s": 30,
        "allow_same_university": False,
    }
    fields.update(overrides)
    return make_event(**fields)


def checked_in_students(event: Event, genders: str, *, online: bool = True) -> list:
    """One student per letter of `genders` (M seeks F, F seeks M), each at a university of their own, checked in."""
    universities = list(University.objects.order_by("pk"))
    users = []
    for index, gender in enumerate(genders):
        profile = make_profile(
            gender=gender, seeking="F" if gender == "M" else "M", university=universities[index % len(universities)]
        )
        services.checkin(user=profile.user, event_id=event.pk)
        if online:
            presence.socket_touch(user_id=profile.user_id, channel_name=f"test.{profile.user_id}")
        users.append(profile.user)
    return users
