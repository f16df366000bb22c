"""Confirming that an e-mail address belongs to the account: signed, expiring links.

The token signs (user id, address, purpose) with a timestamp (apps.accounts.signed_tokens):
nothing is stored, a changed byte breaks the signature, and the age is checked when it is
read. Whether a link was already used is a fact of the account (the address is
confirmed already), so each purpose checks it where the address is written.

Reused by any flow that must prove an address: `confirmation_token_make` for the link,
`confirmation_token_read` (raises a precise DomainError) when it comes back.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.errors import ErrorCode
from apps.accounts.models import User
from apps.accounts.signed_tokens import TokenExpired, TokenInvalid, token_make, token_read
from apps.core.durations import duration_text
from apps.core.errors import DomainError
from apps.core.ratelimit import RateLimit, rate_limit_hit

SALT = "accounts.email-confirmation"
PURPOSE_SIGN_UP = "sign_up"


@dataclass(frozen=True)
class EmailClaim:
    user_id: int
    email: str


def confirmation_token_make(*, user_id: int, email: str, purpose: str) -> str:
    return token_make({"u": user_id, "e": email.lower(), "p": purpose}, salt=SALT)


def confirmation_token_read(*, token: str, purpose: str, max_age_s: int) -> EmailClaim:
    """The (user, address) a link was made for; raises DomainError `confirmation_expired` or
    `confirmation_invalid` (tampered, cut short, or made for another purpose)."""
    try:
        data = token_read(token, salt=SALT, max_age_s=max_age_s)
    except TokenExpired:
        raise DomainError(
            ErrorCode.CONFIRMATION_EXPIRED, _("This confirmation link has expired. Ask for a new one."), http_status=410
        ) from None
    except TokenInvalid:
        data = None
    if data is None or data.get("p") != purpose or not isinstance(data.get("u"), int):
        raise DomainError(
            ErrorCode.CONFIRMATION_INVALID,
            _("This confirmation link is not valid. Copy the whole link from the e-mail, or ask for a new one."),
        )
    return EmailClaim(user_id=data["u"], email=str(data.get("e", "")))


def confirmation_url(*, token: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("accounts:confirm-email", args=[token])


def _resend_register(*, user_id: int) -> None:
    rules = [
        RateLimit("email-confirm-interval", 1, settings.EMAIL_CONFIRMATION_RESEND_INTERVAL_S),
        RateLimit("email-confirm-day", settings.EMAIL_CONFIRMATION_PER_DAY, 24 * 60 * 60),
    ]
    for rule in rules:
        try:
            rate_limit_hit(rule=rule, subject=str(user_id))
        except DomainError as error:
            raise DomainError(
                ErrorCode.RESEND_THROTTLED,
                _("Please wait %(wait)s before asking for another e-mail.") % {"wait": duration_text(error.retry_after_s)},
                http_status=429,
                retry_after_s=error.retry_after_s,
            ) from None


def sign_up_confirmation_send(*, user: User) -> None:
    """Mail the link that confirms a local sign-up's address (throttled per account)."""
    if not user.email_confirmation_pending:
        raise DomainError(ErrorCode.CONFIRMATION_USED, _("Your e-mail address is already confirmed."), http_status=409)
    _resend_register(user_id=user.pk)
    token = confirmation_token_make(user_id=user.pk, email=user.email, purpose=PURPOSE_SIGN_UP)
    body = render_to_string(
        "accounts/email/confirm_email.txt",
        {"url": confirmation_url(token=token), "days": settings.EMAIL_CONFIRMATION_MAX_AGE_S // (24 * 60 * 60)},
    )
    send_mail(_("Confirm your e-mail address for MatchMinds"), body, None, [user.email])


def sign_up_email_confirm(*, token: str) -> User:
    """Confirm a local sign-up's address from its link; a used, expired or forged link changes nothing."""
    claim = confirmation_token_read(token=token, purpose=PURPOSE_SIGN_UP, max_age_s=settings.EMAIL_CONFIRMATION_MAX_AGE_S)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=claim.user_id, is_active=True).first()
        if user is None or user.email.lower() != claim.email:
            raise DomainError(
                ErrorCode.CONFIRMATION_INVALID,
                _("This link was made for an address that is no longer on the account. Ask for a new one."),
            )
        if not user.email_confirmation_pending:
            raise DomainError(
                ErrorCode.CONFIRMATION_USED, _("This link was already used: your e-mail address is confirmed."), http_status=409
            )
        user.email_confirmation_pending = False
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmation_pending", "email_confirmed_at"])
    return user
