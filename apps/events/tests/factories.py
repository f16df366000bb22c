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
