import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from apps.accounts import notifications
from apps.accounts.models import NotificationKind
from apps.accounts.tests.factories import make_profile
from apps.events import reminders, signups
from apps.events.models import ReminderDelivery
from apps.events.tasks import send_event_reminders
from apps.events.tests.factories import make_scheduled_event

pytestmark = pytest.mark.django_db


def _signed_up(event, count=1):
    users = [make_profile().user for _ in range(count)]
    for user in users:
        signups.signup_create(user=user, event_id=event.pk)
    return users


def test_reminders_go_out_24_hours_and_10_minutes_before_once_each():
    # Given a student signed up for an event that starts in 25 hours
    event = make_scheduled_event(name="캠퍼스 나이트", slug="campus-night", starts_in=timedelta(hours=25))
    (student,) = _signed_up(event)
    cancelled = _signed_up(event)[0]
    signups.signup_cancel(user=cancelled, signup_id=cancelled.event_signups.get().pk)
    start = event.starts_at

    # When beat runs an hour later, twice, and again 10 minutes before the start, twice
    assert reminders.reminders_send_due(now=start - timedelta(hours=25)) == 0
    assert reminders.reminders_send_due(now=start - timedelta(hours=23, minutes=59)) == 1
    assert reminders.reminders_send_due(now=start - timedelta(hours=23, minutes=58)) == 0
    assert reminders.reminders_send_due(now=start - timedelta(minutes=9)) == 1
    assert reminders.reminders_send_due(now=start - timedelta(minutes=8)) == 0

    # Then the outbox holds exactly the two reminders, to the student who kept their place
    assert [(message.to, message.subject) for message in mail.outbox] == [
        ([student.email], "내일: 캠퍼스 나이트"),
        ([student.email], "10분 뒤 시작: 캠퍼스 나이트"),
    ]
    assert '"캠퍼스 나이트"이(가) 24시간 뒤에 시작해요.' in mail.outbox[0].body
    assert "http://127.0.0.1:8000/events/campus-night/" in mail.outbox[1].body
    assert ReminderDelivery.objects.filter(event=event).count() == 2


def test_a_late_sign_up_gets_only_the_10_minute_reminder():
    event = make_scheduled_event(starts_in=timedelta(hours=2))
    _signed_up(event)

    assert reminders.reminders_send_due() == 0
    assert reminders.reminders_send_due(now=event.starts_at - timedelta(minutes=10)) == 1
    assert [delivery.kind for delivery in ReminderDelivery.objects.all()] == ["10m"]


def test_waitlisted_students_get_no_reminder():
    event = make_scheduled_event(starts_in=timedelta(minutes=5), signup_capacity=1)
    confirmed, waitlisted = _signed_up(event, count=2)

    send_event_reminders()

    assert [message.to for message in mail.outbox] == [[confirmed.email]]


@pytest.mark.django_db(transaction=True)
def test_two_beats_running_at_once_send_each_reminder_once():
    # Given 20 students signed up for an event starting in 5 minutes
    event = make_scheduled_event(starts_in=timedelta(minutes=5))
    students = _signed_up(event, count=20)
    now = timezone.now()
    barrier = threading.Barrier(4)
    sent = []

    def beat():
        barrier.wait()
        try:
            sent.append(reminders.reminders_send_due(now=now))
        finally:
            connection.close()

    # When four beat runs fire at the same moment
    threads = [threading.Thread(target=beat) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then every student got exactly one mail, whichever run claimed it
    assert sum(sent) == 20
    assert sorted(message.to[0] for message in mail.outbox) == sorted(student.email for student in students)
    assert ReminderDelivery.objects.count() == 20


def test_a_refused_mail_releases_its_claim_for_the_next_run(monkeypatch):
    event = make_scheduled_event(starts_in=timedelta(minutes=5))
    _signed_up(event)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    with monkeypatch.context() as patch:
        patch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
        assert reminders.reminders_send_due() == 0
    assert ReminderDelivery.objects.count() == 0

    assert reminders.reminders_send_due() == 1
    assert len(mail.outbox) == 1


def test_reminders_skip_who_turned_them_off_and_reach_the_others_in_their_language():
    # Given three students: one turned reminders off, one reads English, one Korean
    event = make_scheduled_event(name="Campus Night", slug="campus-night-en", starts_in=timedelta(hours=2))
    quiet, english, korean = _signed_up(event, count=3)
    notifications.notification_preferences_set(user=quiet, changes={"event_reminder": False})
    notifications.user_language_set(user=english, language="en")

    # When the last call is due
    assert reminders.reminders_send_due(now=event.starts_at - timedelta(minutes=9)) == 2

    # Then only the other two got it, each in their language, each with its own unsubscribe
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {english.email, korean.email}
    assert by_recipient[english.email].subject == "Starting in 10 minutes: Campus Night"
    assert by_recipient[korean.email].subject == "10분 뒤 시작: Campus Night"
    for student in (english, korean):
        header = by_recipient[student.email].extra_headers["List-Unsubscribe"]
        assert header.strip("<>") in by_recipient[student.email].body
        assert notifications.unsubscribe_target(token=header.strip("<>").rstrip("/").rsplit("/", 1)[1]) == (
            student,
            NotificationKind.EVENT_REMINDER,
        )
    # And nothing was claimed for the one who opted out (turning it back on would bring the next one)
    assert not ReminderDelivery.objects.filter(user=quiet).exists()
