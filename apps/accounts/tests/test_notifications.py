import pytest
from django.core import mail
from django.test import Client

from apps.accounts import notifications
from apps.accounts.errors import ErrorCode
from apps.accounts.models import NotificationKind, NotificationOptOut, OptOutSource
from apps.accounts.tests.factories import make_user
from apps.core.errors import DomainError

pytestmark = pytest.mark.django_db

ALL_ON = {"digest": True, "new_match": True, "event_reminder": True, "moderation_notice": True}


def _token_of(url: str) -> str:
    return url.strip("<>").rstrip("/").rsplit("/", 1)[1]


def test_every_kind_is_on_until_the_person_turns_one_off():
    student = make_user()
    assert notifications.notification_preferences(user=student) == ALL_ON
    assert all(notifications.may_notify(student, kind) for kind in NotificationKind)

    notifications.notification_preferences_set(user=student, changes={"new_match": False})

    assert notifications.may_notify(student, NotificationKind.NEW_MATCH) is False
    assert notifications.may_notify(student.pk, NotificationKind.NEW_MATCH) is False
    assert notifications.may_notify(student, NotificationKind.MODERATION_NOTICE) is True
    assert notifications.notification_preferences(user=student) == {**ALL_ON, "new_match": False}


def test_an_inactive_account_gets_no_e_mail_of_any_kind():
    student = make_user()
    student.is_active = False
    student.save()
    assert [notifications.may_notify(student, kind) for kind in NotificationKind] == [False, False, False, False]


def test_an_unknown_kind_is_refused_and_nothing_changes():
    student = make_user()

    with pytest.raises(DomainError) as refused:
        notifications.notification_preferences_set(user=student, changes={"digest": False, "newsletter": False})

    assert refused.value.code == ErrorCode.INVALID_NOTIFICATION_KIND
    assert "newsletter" in str(refused.value.message)
    assert notifications.notification_preferences(user=student) == ALL_ON


def test_an_unsubscribe_link_turns_off_exactly_its_kind_and_a_second_click_changes_nothing():
    student = make_user()
    token = _token_of(notifications.unsubscribe_url(user_id=student.pk, kind=NotificationKind.EVENT_REMINDER))

    assert notifications.unsubscribe(token=token) == (student, NotificationKind.EVENT_REMINDER)
    assert notifications.unsubscribe(token=token) == (student, NotificationKind.EVENT_REMINDER)

    assert notifications.notification_preferences(user=student) == {**ALL_ON, "event_reminder": False}
    assert NotificationOptOut.objects.get(user=student).source == OptOutSource.UNSUBSCRIBE_LINK


@pytest.mark.parametrize("mangle", [lambda t: t + "x", lambda t: t[:-3], lambda t: "garbage"], ids=["appended", "cut", "garbage"])
def test_a_tampered_unsubscribe_link_is_refused_and_nothing_changes(mangle):
    student = make_user()
    token = notifications.unsubscribe_token(user_id=student.pk, kind=NotificationKind.DIGEST)

    with pytest.raises(DomainError) as refused:
        notifications.unsubscribe(token=mangle(token))

    assert (refused.value.code, refused.value.http_status) == (ErrorCode.INVALID_UNSUBSCRIBE_LINK, 400)
    assert notifications.notification_preferences(user=student) == ALL_ON


def test_the_unsubscribe_headers_offer_a_one_click_post(settings):
    settings.PUBLIC_BASE_URL = "https://mm.example"
    student = make_user()
    headers = notifications.unsubscribe_headers(user_id=student.pk, kind=NotificationKind.NEW_MATCH)
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"].startswith("<https://mm.example/accounts/unsubscribe/")
    assert headers["List-Unsubscribe"].endswith("/>")


def test_a_mail_clients_one_click_post_unsubscribes_without_a_session_or_csrf_token():
    # Given a reminder link, and a mail client that POSTs to it as RFC 8058 says
    student = make_user()
    url = notifications.unsubscribe_url(user_id=student.pk, kind=NotificationKind.EVENT_REMINDER, base_url="")
    mail_client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="ko")

    # When it posts the one-click body
    response = mail_client.post(url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")

    # Then only reminders are off
    assert response.status_code == 200
    assert notifications.notification_preferences(user=student) == {**ALL_ON, "event_reminder": False}


def test_following_the_link_only_asks_and_the_page_names_the_kind_in_the_visitors_language():
    student = make_user()
    url = notifications.unsubscribe_url(user_id=student.pk, kind=NotificationKind.NEW_MATCH, base_url="")

    asked = Client(HTTP_ACCEPT_LANGUAGE="en").get(url)

    assert asked.status_code == 200
    assert "Stop getting “New match” e-mails?" in asked.content.decode()
    assert notifications.notification_preferences(user=student) == ALL_ON
    done = Client(HTTP_ACCEPT_LANGUAGE="ko").post(url)
    assert "“새 매칭” 이메일을 더 이상 받지 않아요" in done.content.decode()


def test_a_forged_link_page_says_so_with_a_400():
    response = Client(HTTP_ACCEPT_LANGUAGE="en").post("/accounts/unsubscribe/not-a-token/")
    assert response.status_code == 400
    assert "This unsubscribe link is not valid." in response.content.decode()
    assert mail.outbox == []


def test_an_e_mail_is_rendered_in_the_recipients_language():
    from django.utils.translation import gettext

    english = make_user()
    notifications.user_language_set(user=english, language="en")
    korean = make_user()
    notifications.user_language_set(user=korean, language="ko")

    with notifications.recipient_language(english):
        in_english = gettext("New messages on MatchMinds")
    with notifications.recipient_language(korean):
        in_korean = gettext("New messages on MatchMinds")

    assert in_english == "New messages on MatchMinds"
    assert in_korean != in_english


def test_an_unknown_language_is_refused():
    student = make_user()
    with pytest.raises(DomainError) as refused:
        notifications.user_language_set(user=student, language="fr")
    assert refused.value.code == ErrorCode.INVALID_LANGUAGE
    student.refresh_from_db()
    assert student.language == ""


def test_the_account_export_holds_the_language_the_e_mail_choices_and_the_address_changes(django_capture_on_commit_callbacks):
    from apps.accounts import credentials, privacy

    student = make_user(email="export@example.com")
    notifications.user_language_set(user=student, language="en")
    notifications.notification_set(user=student, kind=NotificationKind.DIGEST, enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        credentials.email_change_request(user=student, new_email="later@example.com")

    account = privacy.account_export(user=student)["account"]

    assert account["language"] == "en"
    assert account["notifications"] == {**ALL_ON, "digest": False}
    assert [(c["old_email"], c["new_email"], c["confirmed_at"]) for c in account["email_changes"]] == [
        ("export@example.com", "later@example.com", None)
    ]


def test_account_e_mails_sent_from_a_page_use_the_accounts_language_and_else_the_pages():
    # Given one account that chose English and one that never chose
    english = make_user(email="reset-en@example.com")
    notifications.user_language_set(user=english, language="en")
    undecided = make_user(email="reset-undecided@example.com")

    # When both ask for a password reset from a Korean page
    for email in (english.email, undecided.email):
        Client(HTTP_ACCEPT_LANGUAGE="ko").post("/accounts/password-reset/", {"email": email})

    # Then the chosen language wins, and the page's language serves the other
    by_recipient = {message.to[0]: message.body for message in mail.outbox}
    assert "Someone asked to reset the password of your MatchMinds account." in by_recipient[english.email]
    assert "Someone asked to reset" not in by_recipient[undecided.email]
