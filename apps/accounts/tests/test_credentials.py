import re

import pytest
from django.core import mail
from django.test import Client

from apps.accounts import credentials
from apps.accounts.errors import ErrorCode
from apps.accounts.models import User
from apps.accounts.tests.factories import PASSWORD, make_user
from apps.core.errors import DomainError

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-long-passphrase"  # noqa: S105 - test data


def _link_token(message) -> str:
    return re.search(r"/accounts/email/confirm/([^/\s]+)/", message.body).group(1)


def _request_change(django_capture_on_commit_callbacks, user: User, new_email: str):
    with django_capture_on_commit_callbacks(execute=True):
        return credentials.email_change_request(user=user, new_email=new_email)


def test_a_new_address_takes_effect_only_once_the_link_sent_to_it_is_confirmed(django_capture_on_commit_callbacks):
    # Given a student who asks to move to a new address
    student = make_user(email="old@example.com")
    _request_change(django_capture_on_commit_callbacks, student, " New@Example.com ")

    # Then the new address gets the link, the old one a notice, and nothing changed yet
    link_mail, notice = sorted(mail.outbox, key=lambda message: message.to != ["new@example.com"])
    assert (link_mail.to, notice.to) == (["new@example.com"], ["old@example.com"])
    assert "n***@example.com" in notice.body
    student.refresh_from_db()
    assert student.email == "old@example.com"

    # When the link is confirmed
    credentials.email_change_confirm(token=_link_token(link_mail))

    # Then the account signs in with the new address
    student.refresh_from_db()
    assert student.email == "new@example.com"
    assert credentials.email_change_pending(user=student) is None
    assert Client().login(email="new@example.com", password=PASSWORD) is True


def test_a_used_link_is_refused_with_its_own_message(django_capture_on_commit_callbacks):
    student = make_user(email="once@example.com")
    _request_change(django_capture_on_commit_callbacks, student, "twice@example.com")
    token = _link_token(next(m for m in mail.outbox if m.to == ["twice@example.com"]))
    credentials.email_change_confirm(token=token)

    with pytest.raises(DomainError) as refused:
        credentials.email_change_confirm(token=token)

    assert (refused.value.code, refused.value.http_status) == (ErrorCode.EMAIL_CHANGE_LINK_USED, 410)
    student.refresh_from_db()
    assert student.email == "twice@example.com"


def test_an_expired_link_changes_nothing(settings, django_capture_on_commit_callbacks):
    student = make_user(email="stay@example.com")
    _request_change(django_capture_on_commit_callbacks, student, "late@example.com")
    token = _link_token(next(m for m in mail.outbox if m.to == ["late@example.com"]))
    settings.EMAIL_CHANGE_LINK_TTL_S = -1

    with pytest.raises(DomainError) as refused:
        credentials.email_change_confirm(token=token)

    assert (refused.value.code, refused.value.http_status) == (ErrorCode.EMAIL_CHANGE_LINK_EXPIRED, 410)
    student.refresh_from_db()
    assert student.email == "stay@example.com"


def test_a_newer_request_replaces_the_older_link(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_CHANGE_RESEND_INTERVAL_S = 0
    student = make_user(email="me@example.com")
    _request_change(django_capture_on_commit_callbacks, student, "first@example.com")
    _request_change(django_capture_on_commit_callbacks, student, "second@example.com")
    first = _link_token(next(m for m in mail.outbox if m.to == ["first@example.com"]))

    with pytest.raises(DomainError) as refused:
        credentials.email_change_confirm(token=first)

    assert refused.value.code == ErrorCode.EMAIL_CHANGE_LINK_REPLACED
    student.refresh_from_db()
    assert student.email == "me@example.com"
    assert credentials.email_change_pending(user=student).new_email == "second@example.com"


def test_a_forged_link_is_refused():
    with pytest.raises(DomainError) as refused:
        credentials.email_change_confirm(token="forged:token")
    assert (refused.value.code, refused.value.http_status) == (ErrorCode.EMAIL_CHANGE_LINK_INVALID, 400)


def test_asking_again_at_once_is_throttled_and_sends_nothing(django_capture_on_commit_callbacks):
    student = make_user()
    _request_change(django_capture_on_commit_callbacks, student, "again@example.com")
    sent = len(mail.outbox)

    with pytest.raises(DomainError) as refused:
        credentials.email_change_resend(user=student)
    with pytest.raises(DomainError) as refused_new:
        credentials.email_change_request(user=student, new_email="other@example.com")

    assert (refused.value.code, refused.value.http_status) == (ErrorCode.RESEND_THROTTLED, 429)
    assert refused.value.retry_after_s > 0
    assert refused_new.value.code == ErrorCode.RESEND_THROTTLED
    assert len(mail.outbox) == sent


def test_a_resend_after_the_interval_mails_a_fresh_link(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_CHANGE_RESEND_INTERVAL_S = 0
    student = make_user()
    _request_change(django_capture_on_commit_callbacks, student, "again@example.com")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        credentials.email_change_resend(user=student)

    (resent,) = mail.outbox
    assert resent.to == ["again@example.com"]
    credentials.email_change_confirm(token=_link_token(resent))
    student.refresh_from_db()
    assert student.email == "again@example.com"


@pytest.mark.parametrize(
    ("new_email", "code"),
    [
        ("not-an-address", ErrorCode.INVALID_EMAIL),
        ("taken@example.com", ErrorCode.EMAIL_TAKEN),
        ("ME@example.com", ErrorCode.EMAIL_UNCHANGED),
    ],
)
def test_a_bad_new_address_is_refused_precisely(new_email, code):
    make_user(email="taken@example.com")
    student = make_user(email="me@example.com")

    with pytest.raises(DomainError) as refused:
        credentials.email_change_request(user=student, new_email=new_email)

    assert refused.value.code == code
    assert credentials.email_change_pending(user=student) is None
    assert mail.outbox == []


def test_the_address_taken_meanwhile_is_refused_at_confirmation(django_capture_on_commit_callbacks):
    student = make_user(email="slow@example.com")
    _request_change(django_capture_on_commit_callbacks, student, "race@example.com")
    token = _link_token(next(m for m in mail.outbox if m.to == ["race@example.com"]))
    make_user(email="race@example.com")

    with pytest.raises(DomainError) as refused:
        credentials.email_change_confirm(token=token)

    assert refused.value.code == ErrorCode.EMAIL_TAKEN
    student.refresh_from_db()
    assert student.email == "slow@example.com"


def test_single_sign_on_accounts_change_neither_here():
    student = make_user()
    student.oidc_sub = "provider-subject-1"
    student.save()

    with pytest.raises(DomainError) as email_refused:
        credentials.email_change_request(user=student, new_email="x@example.com")
    with pytest.raises(DomainError) as password_refused:
        credentials.password_change(user=student, current_password=PASSWORD, new_password=NEW_PASSWORD, keep_session_key=None)

    assert email_refused.value.code == password_refused.value.code == ErrorCode.MANAGED_BY_IDENTITY_PROVIDER


def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing():
    student = make_user()

    with pytest.raises(DomainError) as wrong:
        credentials.password_change(user=student, current_password="nope", new_password=NEW_PASSWORD, keep_session_key=None)
    with pytest.raises(DomainError) as weak:
        credentials.password_change(user=student, current_password=PASSWORD, new_password="1234", keep_session_key=None)

    assert (wrong.value.code, wrong.value.field) == (ErrorCode.WRONG_PASSWORD, "current_password")
    assert (weak.value.code, weak.value.field) == (ErrorCode.WEAK_PASSWORD, "new_password")
    student.refresh_from_db()
    assert student.check_password(PASSWORD)


def test_a_new_password_signs_out_every_other_browser_and_keeps_this_one(django_capture_on_commit_callbacks):
    # Given the student signed in in two browsers
    student = make_user(email="two@example.com")
    here, elsewhere = Client(HTTP_ACCEPT_LANGUAGE="ko"), Client(HTTP_ACCEPT_LANGUAGE="ko")
    assert here.login(email="two@example.com", password=PASSWORD)
    assert elsewhere.login(email="two@example.com", password=PASSWORD)

    # When one of them changes the password on the settings page
    with django_capture_on_commit_callbacks(execute=True):
        changed = here.post(
            "/accounts/settings/password/",
            {"current_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )

    # Then that one stays signed in, the other is signed out, and the owner is told by mail
    assert changed.status_code == 302
    assert here.get("/accounts/settings/").status_code == 200
    assert elsewhere.get("/accounts/settings/")["Location"].startswith("/accounts/login/")
    (notice,) = mail.outbox
    assert notice.to == ["two@example.com"]
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)
