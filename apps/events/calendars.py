"""Calendar files (RFC 5545): one event's .ics and a private per-user feed with a revocable token."""

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.errors import DomainError
from apps.events.errors import ErrorCode
from apps.events.models import CalendarFeed, Event, EventSignup, SignupStatus

_PRODUCT_ID = "-//MatchMinds//Events//KO"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _vevent(event: Event, *, now: datetime) -> list[str]:
    url = settings.PUBLIC_BASE_URL + reverse("events:public", args=[event.slug])
    description = "\n\n".join(part for part in (event.description, url) if part)
    return [
        "BEGIN:VEVENT",
        f"UID:event-{event.pk}@matchminds",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART:{_stamp(event.starts_at)}",
        f"DTEND:{_stamp(event.ends_at)}",
        f"SUMMARY:{_escape(event.name)}",
        f"DESCRIPTION:{_escape(description)}",
        f"URL:{url}",
        "END:VEVENT",
    ]


def calendar_text(*, events: Iterable[Event], name: str) -> str:
    now = timezone.now()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{_PRODUCT_ID}", "CALSCALE:GREGORIAN", f"X-WR-CALNAME:{_escape(name)}"]
    for event in events:
        lines.extend(_vevent(event, now=now))
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def calendar_feed_for_user(*, user: User) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})
    return feed


def calendar_feed_reset(*, user: User) -> CalendarFeed:
    """A new secret address; the old one stops working at once."""
    feed, _created = CalendarFeed.objects.update_or_create(user=user, defaults={"token": secrets.token_urlsafe(32)})
    return feed


def calendar_feed_events(*, token: str) -> tuple[User, list[Event]]:
    """The owner of a feed token and the events they hold a place or a waitlist spot for."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise DomainError(
            ErrorCode.CALENDAR_TOKEN_INVALID,
            _("This calendar address is no longer valid. Copy the new one from My events."),
            http_status=404,
        )
    signups = (
        EventSignup.objects.filter(user=feed.user)
        .exclude(status=SignupStatus.CANCELLED)
        .select_related("event")
        .order_by("event__starts_at")
    )
    return feed.user, [signup.event for signup in signups]
