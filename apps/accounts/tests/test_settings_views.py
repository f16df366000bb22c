"""The settings page: language, e-mails, address, password; the language after sign-in."""

import re

import pytest
from django.core import mail
from django.test import Client

from apps.accounts import notifications
from apps.accounts.models import User
from apps.accounts.tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db

ALL_ON = {"digest": True, "new_match": True, "event_reminder": True, "moderation_notice": True}


def browser_as(user, language: str = "ko") -> Client:
    """A browser signed in as `user`, whose account (and browser) reads `language`."""
    notifications.user_language_set(user=user, language=language)
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    browser.force_login(user)
    return browser


def test_the_page_shows_every_kind_checked_and_the_forms_of_a_local_account():
    student = make_user(email="page@example.com")
    body = browser_as(student).get("/accounts/settings/").content.decode()
    for kind in ALL_ON:
        assert re.search(rf'<input type="checkbox" name="{kind}"[^>]* checked>', body), kind
    assert "page@example.com" in body
    assert 'name="new_email"' in body and 'name="current_password"' in body


def test_a_single_sign_on_account_sees_the_provider_note_instead_of_the_forms():
    student = make_user()
    student.oidc_sub = "subject-7"
    student.save()
    body = browser_as(student, "en").get("/accounts/settings/").content.decode()
    assert "managed by your identity provider" in body
    assert 'name="new_email"' not in body and 'name="current_password"' not in body


def test_unchecking_a_box_turns_that_kind_off_and_checking_it_turns_it_back_on():
    student = make_user()
    page = browser_as(student)

    page.post("/accounts/settings/notifications/", {"digest": "on", "new_match": "on", "moderation_notice": "on"})
    assert notifications.notification_preferences(user=student) == {**ALL_ON, "event_reminder": False}

    page.post("/accounts/settings/notifications/", dict.fromkeys(ALL_ON, "on"))
    assert notifications.notification_preferences(user=student) == ALL_ON


def test_the_pages_after_sign_in_follow_the_accounts_language_not_the_browsers():
    student = make_user()
    page = browser_as(student, "ko")

    page.post("/accounts/settings/language/", {"language": "en"})

    student.refresh_from_db()
    assert student.language == "en"
    response = Client(HTTP_ACCEPT_LANGUAGE="ko")
    response.force_login(student)
    shown = response.get("/accounts/settings/")
    assert shown["Content-Language"] == "en"
    assert "<h1>Settings</h1>" in shown.content.decode()


def test_the_language_switcher_saves_the_choice_on_a_signed_in_account():
    student = make_user()
    browser_as(student, "en").post("/i18n/setlang/", {"language": "ko", "next": "/accounts/settings/"})
    student.refresh_from_db()
    assert student.language == "ko"
    anonymous = Client().post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert anonymous.status_code == 302
    assert anonymous.cookies["django_language"].value == "en"


def test_an_unknown_language_is_refused_on_the_form_and_nothing_changes():
    student = make_user()
    response = browser_as(student, "en").post("/accounts/settings/language/", {"language": "fr"})  # not offered
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    student.refresh_from_db()
    assert student.language == "en"


def test_the_e_mail_form_shows_a_precise_error_and_the_confirm_link_asks_before_it_changes(
    django_capture_on_commit_callbacks,
):
    make_user(email="taken@example.com")
    student = make_user(email="mine@example.com")
    page = browser_as(student, "en")

    refused = page.post("/accounts/settings/email/", {"new_email": "taken@example.com"})
    assert refused.status_code == 400
    assert "An account with this e-mail address already exists." in refused.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        page.post("/accounts/settings/email/", {"new_email": "fresh@example.com"})
    link = next(m for m in mail.outbox if m.to == ["fresh@example.com"]).body.split("http://127.0.0.1:8000", 1)[1].split()[0]
    pending = page.get("/accounts/settings/").content.decode()
    assert "fresh@example.com" in pending and "Send the link again" in pending

    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    asked = anonymous.get(link)
    assert "Confirm new address" in asked.content.decode()
    student.refresh_from_db()
    assert student.email == "mine@example.com"
    done = anonymous.post(link)
    assert done.status_code == 200
    student.refresh_from_db()
    assert student.email == "fresh@example.com"
    reused = anonymous.post(link)
    assert reused.status_code == 410
    assert "This link was already used" in reused.content.decode()


def test_the_password_form_refuses_a_wrong_current_password_and_differing_new_ones():
    student = make_user()
    page = browser_as(student, "en")
    wrong = page.post(
        "/accounts/settings/password/", {"current_password": "nope", "new_password1": "x" * 20, "new_password2": "x" * 20}
    )
    differ = page.post(
        "/accounts/settings/password/", {"current_password": PASSWORD, "new_password1": "x" * 20, "new_password2": "y" * 20}
    )
    assert (wrong.status_code, differ.status_code) == (400, 400)
    assert "Your current password is not correct." in wrong.content.decode()
    assert "The two passwords differ." in differ.content.decode()
    student.refresh_from_db()
    assert student.check_password(PASSWORD)


def test_until_a_language_is_chosen_pages_follow_the_browser_and_sign_up_keeps_the_browsers():
    student = make_user()
    english_browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    english_browser.force_login(student)
    assert english_browser.get("/accounts/settings/")["Content-Language"] == "en"

    Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/accounts/signup/", {"email": "newcomer@example.com", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert User.objects.get(email="newcomer@example.com").language == "en"


def test_choosing_the_browsers_language_again_clears_the_choice():
    student = make_user()
    page = browser_as(student, "en")
    page.post("/accounts/settings/language/", {"language": ""})
    student.refresh_from_db()
    assert student.language == ""
    korean_browser = Client(HTTP_ACCEPT_LANGUAGE="ko")
    korean_browser.force_login(student)
    assert korean_browser.get("/accounts/settings/")["Content-Language"] == "ko"
