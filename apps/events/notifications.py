"""E-mails about events: a waitlist place that opened, and the reminders before the start."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import notifications
from apps.accounts.models import NotificationKind, User
from apps.accounts.notifications import recipient_language
from apps.events.models import Event, EventSignup

logger = logging.getLogger(__name__)


def kst(moment) -> str:
    """A moment as Korean people read it in an e-mail: 2026-12-08 19:00 KST."""
    return timezone.localtime(moment, timezone.get_fixed_timezone(9 * 60)).strftime("%Y-%m-%d %H:%M KST")


def _event_context(event: Event) -> dict:
    base = settings.PUBLIC_BASE_URL
    return {
        "event": event,
        "starts_at": kst(event.starts_at),
        "ends_at": kst(event.ends_at),
        "event_url": base + reverse("events:public", args=[event.slug]),
        "ics_url": base + reverse("events:ics", args=[event.slug]),
        "mine_url": base + reverse("events:mine"),
    }


def _send(*, to: str, subject: str, template: str, context: dict, headers: dict | None = None) -> None:
    body = render_to_string(template, context)
    EmailMultiAlternatives(subject, body, to=[to], headers=headers).send()


def waitlist_promotion_send(*, signup_id: int) -> None:
    """Tell a student that a place opened and is now theirs (runs after the cancel commits).

    The sign-up already changed; a mail server failure is logged and does not undo it
    ("my upcoming events" shows the place either way).
    """
    signup = EventSignup.objects.select_related("event", "user").get(pk=signup_id)
    with recipient_language(signup.user):
        subject = _("A place opened for you: %(name)s") % {"name": signup.event.name}
        try:
            context = _event_context(signup.event)
            _send(to=signup.user.email, subject=subject, template="events/email/promoted.txt", context=context)
        except OSError:
            logger.exception("waitlist promotion mail to user %s failed", signup.user_id)


def reminder_send(*, event: Event, user: User, kind: str) -> None:
    """One reminder, in the student's language, with a link that turns reminders off; raises
    when the mail server refuses so the caller can release the claim. The caller picked only
    students who want reminders (`accounts.notifications.opted_out_sql`)."""
    unsubscribe_url = notifications.unsubscribe_url(user_id=user.pk, kind=NotificationKind.EVENT_REMINDER)
    context = {**_event_context(event), "kind": kind, "unsubscribe_url": unsubscribe_url}
    headers = notifications.unsubscribe_headers(user_id=user.pk, kind=NotificationKind.EVENT_REMINDER)
    with recipient_language(user):
        if kind == "24h":
            subject = _("Tomorrow: %(name)s") % {"name": event.name}
        else:
            subject = _("Starting in 10 minutes: %(name)s") % {"name": event.name}
        _send(to=user.email, subject=subject, template="events/email/reminder.txt", context=context, headers=headers)
