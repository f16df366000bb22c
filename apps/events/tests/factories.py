from datetime import timedelta

from django.utils import timezone

from apps.events.models import Event


def make_event(**overrides) -> Event:
    """An event that is live now (started an hour ago, ends in an hour) unless overridden."""
    now = timezone.now()
    fields = {"name": "Live", "starts_at": now - timedelta(hours=1), "ends_at": now + timedelta(hours=1)}
    fields.update(overrides)
    universities = fields.pop("universities", [])
    event = Event.objects.create(**fields)
    event.universities.set(universities)
    return event


def make_scheduled_event(*, starts_in: timedelta = timedelta(days=2), **overrides) -> Event:
    """An event that starts `starts_in` from now and lasts two hours."""
    starts_at = timezone.now() + starts_in
    fields = {"name": "Upcoming", "starts_at": starts_at, "ends_at": starts_at + timedelta(hours=2)}
    fields.update(overrides)
    return make_event(**fields)
