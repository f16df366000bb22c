"""The account's own settings on the API."""

import pytest
from django.core import mail
from django.test import Client

from apps.accounts import notifications
from apps.accounts.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

ALL_ON = {"digest": True, "new_match": True, "event_reminder": True, "moderation_notice": True}


def api_as(user) -> Client:
    api = Client(HTTP_ACCEPT_LANGUAGE="en")
    api.force_login(user)
    return api


def test_get_and_patch_preferences():
    student = make_user()
    api = api_as(student)
    assert api.get("/api/v1/account/preferences/").json() == {"language": "", "notifications": ALL_ON}

    patched = api.patch(
        "/api/v1/account/preferences/",
        {"language": "en", "notifications": {"digest": False}},
        content_type="application/json",
    )

    assert patched.status_code == 200
    assert patched.json() == {"language": "en", "notifications": {**ALL_ON, "digest": False}}
    assert notifications.may_notify(student, "digest") is False


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"notifications": {"newsletter": False}}, "notifications"),
        ({"notifications": {"digest": "maybe"}}, "notifications"),
        ({"language": "fr"}, "language"),
        ({"langauge": "en"}, "non_field_errors"),
        ({"language": "en", "notifications": {"digest": False, "spam": True}}, "notifications"),
    ],
    ids=["unknown-kind", "not-a-boolean", "unknown-language", "unknown-field", "all-or-nothing"],
)
def test_bad_preferences_are_refused_precisely_and_nothing_changes(body, field):
    student = make_user()

    refused = api_as(student).patch("/api/v1/account/preferences/", body, content_type="application/json")

    assert refused.status_code == 400
    error = refused.json()["error"]
    assert field in (error.get("field"), *error.get("fields", {}).keys()), error
    student.refresh_from_db()
    assert (student.language, notifications.notification_preferences(user=student)) == ("", ALL_ON)


def test_an_e_mail_change_through_the_api_waits_for_the_link_and_is_throttled(django_capture_on_commit_callbacks):
    student = make_user(email="api@example.com")
    api = api_as(student)

    with django_capture_on_commit_callbacks(execute=True):
        started = api.post("/api/v1/account/email/", {"new_email": "next@example.com"}, content_type="application/json")
    again = api.post("/api/v1/account/email/resend/")

    assert started.status_code == 202
    assert started.json() == {"email": "api@example.com", "pending_email": "next@example.com"}
    assert api.get("/api/v1/account/email/").json() == {"email": "api@example.com", "pending_email": "next@example.com"}
    assert again.status_code == 429
    assert again.json()["error"]["code"] == "resend_throttled"
    assert sorted(message.to[0] for message in mail.outbox) == ["api@example.com", "next@example.com"]


def test_a_password_change_through_the_api_keeps_this_session(django_capture_on_commit_callbacks):
    student = make_user(email="pw@example.com")
    api = Client()
    assert api.login(email="pw@example.com", password=PASSWORD)

    wrong = api.post(
        "/api/v1/account/password/", {"current_password": "x", "new_password": "p" * 20}, content_type="application/json"
    )
    with django_capture_on_commit_callbacks(execute=True):
        changed = api.post(
            "/api/v1/account/password/",
            {"current_password": PASSWORD, "new_password": "a-new-long-passphrase"},
            content_type="application/json",
        )

    assert (wrong.status_code, wrong.json()["error"]["code"]) == (400, "wrong_password")
    assert changed.status_code == 204
    assert api.get("/api/v1/account/preferences/").status_code == 200
    student.refresh_from_db()
    assert student.check_password("a-new-long-passphrase")
