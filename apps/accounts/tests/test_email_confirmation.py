"""A local sign-up confirms its address before it may join a queue or check in."""

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.accounts import email_confirmation, services
from apps.accounts.errors import ErrorCode
from apps.accounts.tests.factories import make_profile, make_user
from apps.core.errors import DomainError
from apps.events.models import Event
from apps.events.selectors import event_join_problems

pytestmark = pytest.mark.django_db


def _link_in_last_mail() -> str:
    return re.search(r"http://\S+/accounts/confirm-email/(\S+)/", mail.outbox[-1].body).group(1)


def test_sign_up_mails_a_link_and_the_account_cannot_join_until_it_is_opened(client):
    event = Event.objects.create(
        name="라이브", starts_at=timezone.now() - timedelta(minutes=1), ends_at=timezone.now() + timedelta(hours=1)
    )
    response = client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": "a-very-good-password", "password2": "a-very-good-password"},
    )
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["new@example.com"]]
    token = _link_in_last_mail()
    user = services.User.objects.get(email="new@example.com")
    make_profile(user=user)
    assert [code for code, _m in event_join_problems(user=user, event=event)] == [ErrorCode.EMAIL_NOT_CONFIRMED]

    page = client.get(f"/accounts/confirm-email/{token}/")
    confirmed = client.post(f"/accounts/confirm-email/{token}/")

    assert page.status_code == 200 and "data-error" not in page.content.decode()
    assert confirmed.status_code == 302 and confirmed["Location"] == "/policies/accept/"
    user.refresh_from_db()
    assert user.email_confirmation_pending is False and user.email_confirmed_at is not None
    assert ErrorCode.EMAIL_NOT_CONFIRMED not in [code for code, _m in event_join_problems(user=user, event=event)]


def test_a_reused_link_gets_a_precise_message_and_changes_nothing(client):
    user = make_user(confirm_email=False)
    token = email_confirmation.confirmation_token_make(user_id=user.pk, email=user.email, purpose="sign_up")
    email_confirmation.sign_up_email_confirm(token=token)
    confirmed_at = services.User.objects.get(pk=user.pk).email_confirmed_at

    response = client.post(f"/accounts/confirm-email/{token}/")

    assert response.status_code == 409
    assert 'data-error="confirmation_used"' in response.content.decode()
    assert services.User.objects.get(pk=user.pk).email_confirmed_at == confirmed_at


def test_an_expired_link_is_refused(client, settings):
    user = make_user(confirm_email=False)
    token = email_confirmation.confirmation_token_make(user_id=user.pk, email=user.email, purpose="sign_up")
    settings.EMAIL_CONFIRMATION_MAX_AGE_S = 1
    time.sleep(2.1)

    response = client.post(f"/accounts/confirm-email/{token}/")

    assert response.status_code == 410
    assert 'data-error="confirmation_expired"' in response.content.decode()
    assert services.User.objects.get(pk=user.pk).email_confirmation_pending is True


def test_a_forged_or_foreign_link_is_refused(client):
    user = make_user(confirm_email=False)
    token = email_confirmation.confirmation_token_make(user_id=user.pk, email=user.email, purpose="sign_up")

    tampered = client.post(f"/accounts/confirm-email/{token[:-2]}xx/")
    other_purpose = email_confirmation.confirmation_token_make(user_id=user.pk, email=user.email, purpose="email_change")

    assert 'data-error="confirmation_invalid"' in tampered.content.decode()
    with pytest.raises(DomainError) as refused:
        email_confirmation.sign_up_email_confirm(token=other_purpose)
    assert refused.value.code == ErrorCode.CONFIRMATION_INVALID
    assert services.User.objects.get(pk=user.pk).email_confirmation_pending is True


def test_resending_is_throttled(client):
    user = make_user(confirm_email=False)
    client.force_login(user)

    client.post("/accounts/confirm-email/resend/")
    second = client.post("/accounts/confirm-email/resend/", follow=True)

    assert len(mail.outbox) == 1
    assert "다시" in second.content.decode() or "Please wait" in second.content.decode()
    with pytest.raises(DomainError) as refused:
        email_confirmation.sign_up_confirmation_send(user=user)
    assert refused.value.code == ErrorCode.RESEND_THROTTLED and refused.value.retry_after_s > 0


def test_single_sign_on_accounts_count_as_confirmed():
    user = services.user_oidc_sign_in(subject="sub-1", email="sso@example.com", email_verified=True, groups=[])

    assert user.email_confirmation_pending is False
