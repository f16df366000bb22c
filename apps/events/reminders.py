"""Reminder e-mails before an event starts, each sent at most once per sign-up and kind.

A reminder is claimed by inserting its delivery row; the unique constraint on (event, user,
kind) makes a second insert, from a second beat or a retried task, insert nothing, so only
the run whose insert returned the row sends the mail.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.accounts.models import NotificationKind, User
from apps.accounts.notifications import opted_out_sql
from apps.events import notifications
from apps.events.models import Event, EventSignup, ReminderDelivery, SignupStatus, StateOverride

_CLAIM_SQL = f"""
INSERT INTO {ReminderDelivery._meta.db_table} (event_id, user_id, kind, sent_at)
SELECT signup.event_id, signup.user_id, %(kind)s, now()
FROM {EventSignup._meta.db_table} signup
JOIN {Event._meta.db_table} event ON event.id = signup.event_id
JOIN {User._meta.db_table} person ON person.id = signup.user_id
WHERE signup.status = %(confirmed)s
  AND person.is_active
  AND NOT {opted_out_sql(user_column="signup.user_id", kind=NotificationKind.EVENT_REMINDER)}
  AND event.state_override <> %(ended)s
  AND event.starts_at > %(window_start)s
  AND event.starts_at <= %(window_end)s
  AND (%(last_call)s OR signup.confirmed_at <= event.starts_at - make_interval(secs => %(lead_s)s))
ORDER BY event.starts_at, signup.id
LIMIT %(limit)s
ON CONFLICT (event_id, user_id, kind) DO NOTHING
RETURNING event_id, user_id
"""  # noqa: S608 - table names come from the models, the opt-out condition from an enum


def _windows(now: datetime) -> list[tuple[str, int, datetime, datetime]]:
    """(kind, lead seconds, start, end): a reminder is due for events starting in (start, end].

    Each lead's window ends where the next shorter lead's begins. Only the shortest lead
    reaches everyone; the longer ones go to places held before their moment, so a student who
    signs up two hours before the start gets no "tomorrow" mail, only the last call.
    """
    leads = sorted(settings.EVENTS_REMINDER_LEADS.items(), key=lambda item: item[1])
    windows = []
    previous = 0
    for kind, seconds in leads:
        windows.append((kind, seconds, now + timedelta(seconds=previous), now + timedelta(seconds=seconds)))
        previous = seconds
    return windows


def reminders_send_due(*, now: datetime | None = None) -> int:
    """Claim and mail every due reminder (up to EVENTS_REMINDER_BATCH per kind); returns mails sent."""
    now = now or timezone.now()
    sent = 0
    shortest = min(settings.EVENTS_REMINDER_LEADS.values())
    for kind, lead_s, window_start, window_end in _windows(now):
        with connection.cursor() as cursor:
            cursor.execute(
                _CLAIM_SQL,
                {
                    "kind": kind,
                    "confirmed": SignupStatus.CONFIRMED.value,
                    "ended": StateOverride.ENDED.value,
                    "window_start": window_start,
                    "window_end": window_end,
                    "limit": settings.EVENTS_REMINDER_BATCH,
                    "last_call": lead_s == shortest,
                    "lead_s": lead_s,
                },
            )
            claimed = cursor.fetchall()
        sent += _mail_claimed(kind=kind, claimed=claimed)
    return sent


def _mail_claimed(*, kind: str, claimed: list[tuple[int, int]]) -> int:
    events = Event.objects.in_bulk({event_id for event_id, _ in claimed})
    users = User.objects.in_bulk({user_id for _, user_id in claimed})
    sent = 0
    for event_id, user_id in claimed:
        try:
            notifications.reminder_send(event=events[event_id], user=users[user_id], kind=kind)
        except OSError:
            # Released so the next run tries again: a reminder is never lost to a mail hiccup.
            ReminderDelivery.objects.filter(event_id=event_id, user_id=user_id, kind=kind).delete()
            notifications.logger.exception("reminder %s of event %s to user %s failed", kind, event_id, user_id)
            continue
        sent += 1
    return sent
