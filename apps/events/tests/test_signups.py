import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from apps.accounts.models import University
from apps.accounts.tests.factories import make_profile, make_user
from apps.core.errors import DomainError
from apps.events import signups
from apps.events.models import EventSignup, SignupStatus
from apps.events.tests.factories import make_event, make_scheduled_event

pytestmark = pytest.mark.django_db


def test_signups_fill_the_places_then_queue_on_the_waitlist_in_order():
    event = make_scheduled_event(signup_capacity=2)
    people = [make_profile().user for _ in range(4)]

    made = [signups.signup_create(user=user, event_id=event.pk) for user in people]

    assert [signup.status for signup in made] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [signups.waitlist_position(signup=signup) for signup in made] == [None, None, 1, 2]
    assert signups.signup_summary(event=event) == signups.SignupSummary(confirmed=2, waitlisted=2, places_left=0)


def test_signing_up_twice_is_refused_and_keeps_one_sign_up():
    event = make_scheduled_event()
    user = make_profile().user
    signups.signup_create(user=user, event_id=event.pk)

    with pytest.raises(DomainError) as error:
        signups.signup_create(user=user, event_id=event.pk)

    assert (error.value.code, error.value.http_status) == ("already_signed_up", 409)
    assert EventSignup.objects.filter(event=event, user=user).count() == 1


def test_the_database_allows_one_active_sign_up_per_user_and_event():
    event = make_scheduled_event()
    user = make_profile().user
    EventSignup.objects.create(event=event, user=user, status=SignupStatus.CANCELLED)
    EventSignup.objects.create(event=event, user=user, status=SignupStatus.CONFIRMED)
    with pytest.raises(IntegrityError), transaction.atomic():
        EventSignup.objects.create(event=event, user=user, status=SignupStatus.WAITLISTED)


def test_cancel_promotes_the_first_on_the_waitlist_and_tells_them_by_email(django_capture_on_commit_callbacks):
    event = make_scheduled_event(name="캠퍼스 나이트", slug="campus-night", signup_capacity=1)
    first, second, third = (make_profile().user for _ in range(3))
    held = signups.signup_create(user=first, event_id=event.pk)
    waiting_first = signups.signup_create(user=second, event_id=event.pk)
    signups.signup_create(user=third, event_id=event.pk)

    with django_capture_on_commit_callbacks(execute=True):
        promoted = signups.signup_cancel(user=first, signup_id=held.pk)

    assert promoted.pk == waiting_first.pk
    assert EventSignup.objects.get(pk=waiting_first.pk).status == "confirmed"
    assert [s.user_id for s in EventSignup.objects.filter(event=event, status="waitlisted")] == [third.pk]
    assert [message.to for message in mail.outbox] == [[second.email]]
    assert mail.outbox[0].subject == "자리가 생겼어요: 캠퍼스 나이트"
    assert "http://127.0.0.1:8000/events/campus-night/" in mail.outbox[0].body


def test_cancelling_a_waitlisted_sign_up_promotes_nobody(django_capture_on_commit_callbacks):
    event = make_scheduled_event(signup_capacity=1)
    first, second = (make_profile().user for _ in range(2))
    signups.signup_create(user=first, event_id=event.pk)
    waiting = signups.signup_create(user=second, event_id=event.pk)

    with django_capture_on_commit_callbacks(execute=True):
        assert signups.signup_cancel(user=second, signup_id=waiting.pk) is None

    assert mail.outbox == []


def test_nobody_cancels_someone_elses_sign_up():
    event = make_scheduled_event()
    owner, intruder = make_profile().user, make_profile().user
    signup = signups.signup_create(user=owner, event_id=event.pk)

    with pytest.raises(DomainError) as error:
        signups.signup_cancel(user=intruder, signup_id=signup.pk)

    assert (error.value.code, error.value.http_status) == ("not_your_signup", 403)
    assert EventSignup.objects.get(pk=signup.pk).status == "confirmed"


def test_cancelling_twice_and_unknown_sign_ups_are_refused():
    user = make_profile().user
    signup = signups.signup_create(user=user, event_id=make_scheduled_event().pk)
    signups.signup_cancel(user=user, signup_id=signup.pk)
    with pytest.raises(DomainError) as again:
        signups.signup_cancel(user=user, signup_id=signup.pk)
    with pytest.raises(DomainError) as unknown:
        signups.signup_cancel(user=user, signup_id=signup.pk + 1000)
    assert (again.value.code, unknown.value.code) == ("signup_already_cancelled", "signup_not_found")


def test_sign_ups_close_when_the_event_starts_and_follow_its_scope():
    live = make_event()
    user = make_profile(region="busan").user
    with pytest.raises(DomainError) as closed:
        signups.signup_create(user=user, event_id=live.pk)
    seoul_only = make_scheduled_event(nationwide=False, regions=["seoul"])
    busan_student = make_profile(university=None).user
    with pytest.raises(DomainError) as out_of_scope:
        signups.signup_create(user=make_profile(region="busan").user, event_id=seoul_only.pk)
    assert closed.value.code == "signup_closed"
    assert out_of_scope.value.code == "out_of_scope"
    assert signups.signup_create(user=busan_student, event_id=seoul_only.pk).status == "confirmed"


def test_without_a_profile_one_cannot_sign_up():
    with pytest.raises(DomainError) as error:
        signups.signup_create(user=make_user(), event_id=make_scheduled_event().pk)
    assert error.value.code == "profile_incomplete"


def test_upcoming_events_list_the_users_active_sign_ups_soonest_first():
    user = make_profile().user
    later = make_scheduled_event(name="later", starts_in=timedelta(days=5))
    sooner = make_scheduled_event(name="sooner", starts_in=timedelta(days=1), signup_capacity=1)
    dropped = make_scheduled_event(name="dropped")
    signups.signup_create(user=make_profile().user, event_id=sooner.pk)
    signups.signup_create(user=user, event_id=later.pk)
    signups.signup_create(user=user, event_id=sooner.pk)
    signups.signup_cancel(user=user, signup_id=signups.signup_create(user=user, event_id=dropped.pk).pk)

    rows = signups.signups_upcoming_for_user(user=user)

    assert [(row.event.name, row.status, row.position) for row in rows] == [
        ("sooner", "waitlisted", 1),
        ("later", "confirmed", None),
    ]


def test_breakdown_counts_active_sign_ups_by_gender_and_university():
    busan = University.objects.get(name_ko="부산대학교")
    event = make_scheduled_event(signup_capacity=2)
    for gender, university in (("M", None), ("F", None), ("F", busan)):
        signups.signup_create(user=make_profile(gender=gender, university=university).user, event_id=event.pk)

    breakdown = signups.signup_breakdown(event_id=event.pk)

    assert breakdown["by_status"] == {"confirmed": 2, "waitlisted": 1}
    assert breakdown["by_gender"] == {"F": 2, "M": 1}
    assert breakdown["by_university"] == [("서울대학교", 2), ("부산대학교", 1)]


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_never_exceed_the_places():
    event = make_scheduled_event(signup_capacity=3)
    users = [make_profile().user for _ in range(8)]
    barrier = threading.Barrier(len(users))

    def sign_up(user):
        barrier.wait()
        try:
            signups.signup_create(user=user, event_id=event.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert signups.signup_summary(event=event) == signups.SignupSummary(confirmed=3, waitlisted=5, places_left=0)


def test_raising_the_places_in_the_admin_promotes_the_waitlist_in_order(django_capture_on_commit_callbacks):
    event = make_scheduled_event(signup_capacity=1)
    people = [make_profile().user for _ in range(4)]
    made = [signups.signup_create(user=user, event_id=event.pk) for user in people]
    staff = make_user()
    staff.is_staff = staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)
    form = {
        "name": event.name,
        "slug": event.slug,
        "nationwide": "on",
        "starts_at_0": timezone.localtime(event.starts_at).strftime("%Y-%m-%d"),
        "starts_at_1": timezone.localtime(event.starts_at).strftime("%H:%M:%S"),
        "ends_at_0": timezone.localtime(event.ends_at).strftime("%Y-%m-%d"),
        "ends_at_1": timezone.localtime(event.ends_at).strftime("%H:%M:%S"),
        "signup_capacity": "3",
        "accept_timeout_s": "20",
        "max_wait_s": "300",
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/events/event/{event.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:2000]
    statuses = dict(EventSignup.objects.filter(event=event).values_list("pk", "status"))
    assert [statuses[signup.pk] for signup in made] == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    assert sorted(message.to[0] for message in mail.outbox) == sorted([people[1].email, people[2].email])
