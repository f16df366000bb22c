"""A signed-in student changes their e-mail address or their password.

A new address takes effect only when the link mailed to it is confirmed; the old address is
told at once, so an intruder's change does not go unseen. A new password signs out every
other browser of the person (their sessions stop verifying, their open sockets are closed);
the browser that changed it stays signed in. Single sign-on accounts manage both at the
identity provider.
"""

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.errors import ErrorCode
from apps.accounts.models import EmailChange, User
from apps.accounts.notifications import recipient_language
from apps.accounts.signed_tokens import TokenExpired, TokenInvalid, token_make, token_read
from apps.core.durations import duration_text
from apps.core.errors import DomainError
from apps.realtime import events as realtime_events
from apps.realtime.auth import session_key_digest
from apps.realtime.protocol import CLOSE_PASSWORD_CHANGED

EMAIL_CHANGE_SALT = "accounts.credentials.email_change"
SESSION_END_PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a close reason, not a secret


def _require_local(user: User) -> None:
    if user.oidc_sub:
        raise DomainError(
            ErrorCode.MANAGED_BY_IDENTITY_PROVIDER,
            _("You sign in with single sign-on: change your e-mail address and password at your identity provider."),
            http_status=409,
        )


def _send(*, user: User, to: str, subject: str, template: str, context: dict) -> None:
    with recipient_language(user):
        body = render_to_string(template, context)
        EmailMultiAlternatives(str(subject), body, to=[to]).send()


def email_change_pending(*, user: User) -> EmailChange | None:
    """The request whose link still counts (the newest one not yet confirmed), if any."""
    latest = user.email_changes.first()
    if latest is None or latest.confirmed_at is not None:
        return None
    return latest


def email_change_resend_wait_s(*, user: User) -> int:
    pending = email_change_pending(user=user)
    if pending is None:
        return 0
    elapsed = (timezone.now() - pending.sent_at).total_seconds()
    return max(0, int(settings.EMAIL_CHANGE_RESEND_INTERVAL_S - elapsed))


def _throttle(*, user: User) -> None:
    wait_s = email_change_resend_wait_s(user=user)
    if wait_s > 0:
        raise DomainError(
            ErrorCode.RESEND_THROTTLED,
            _("Please wait %(wait)s before asking for another confirmation e-mail.") % {"wait": duration_text(wait_s)},
            http_status=429,
            retry_after_s=wait_s,
        )


def _clean_new_email(*, user: User, email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError(ErrorCode.INVALID_EMAIL, _("Enter a valid e-mail address."), field="email") from None
    if email == user.email.lower():
        raise DomainError(ErrorCode.EMAIL_UNCHANGED, _("This is already your e-mail address."), field="email")
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise DomainError(
            ErrorCode.EMAIL_TAKEN, _("An account with this e-mail address already exists."), field="email", http_status=409
        )
    return email


def email_change_request(*, user: User, new_email: str) -> EmailChange:
    """Mail a confirmation link to `new_email` and a notice to the current address.

    A second request replaces the first (its link stops working); both count for the
    resend throttle, so neither address can be flooded.
    """
    _require_local(user)
    email = _clean_new_email(user=user, email=new_email)
    _throttle(user=user)
    now = timezone.now()
    change = EmailChange.objects.create(user=user, old_email=user.email, new_email=email, requested_at=now, sent_at=now)
    transaction.on_commit(lambda: _email_change_mails(change=change), robust=True)
    return change


def email_change_resend(*, user: User) -> EmailChange:
    """Mail the pending request's link again (a fresh link: the old one keeps working too)."""
    _require_local(user)
    pending = email_change_pending(user=user)
    if pending is None:
        raise DomainError(ErrorCode.NO_PENDING_CODE, _("There is no e-mail change waiting for confirmation."), http_status=404)
    _throttle(user=user)
    pending.sent_at = timezone.now()
    pending.save(update_fields=["sent_at"])
    transaction.on_commit(lambda: _email_change_link_mail(change=pending), robust=True)
    return pending


def _email_change_mails(*, change: EmailChange) -> None:
    _email_change_link_mail(change=change)
    context = {"new_email": _masked(change.new_email), "settings_url": settings.PUBLIC_BASE_URL + reverse("accounts:settings")}
    with recipient_language(change.user):
        subject = _("Your MatchMinds e-mail address is about to change")
    _send(
        user=change.user, to=change.old_email, subject=subject, template="accounts/email/email_change_notice.txt", context=context
    )


def _email_change_link_mail(*, change: EmailChange) -> None:
    token = token_make({"c": change.pk}, salt=EMAIL_CHANGE_SALT)
    context = {
        "confirm_url": settings.PUBLIC_BASE_URL + reverse("accounts:email-confirm", args=[token]),
        "hours": settings.EMAIL_CHANGE_LINK_TTL_S // 3600,
    }
    with recipient_language(change.user):
        subject = _("Confirm your new MatchMinds e-mail address")
    _send(
        user=change.user,
        to=change.new_email,
        subject=subject,
        template="accounts/email/email_change_confirm.txt",
        context=context,
    )


def _masked(email: str) -> str:
    """j***@example.com: enough for the owner to recognise it, not to copy it."""
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def _change_for_token(token: str) -> EmailChange:
    try:
        data = token_read(token, salt=EMAIL_CHANGE_SALT, max_age_s=settings.EMAIL_CHANGE_LINK_TTL_S)
    except TokenExpired:
        raise DomainError(
            ErrorCode.EMAIL_CHANGE_LINK_EXPIRED,
            _("This confirmation link has expired. Sign in and ask for a new one on the settings page."),
            http_status=410,
        ) from None
    except TokenInvalid:
        raise DomainError(
            ErrorCode.EMAIL_CHANGE_LINK_INVALID, _("This confirmation link is not valid."), http_status=400
        ) from None
    change = EmailChange.objects.select_related("user").filter(pk=data.get("c")).first()
    if change is None:
        raise DomainError(ErrorCode.EMAIL_CHANGE_LINK_INVALID, _("This confirmation link is not valid."), http_status=400)
    return change


def email_change_preview(*, token: str) -> EmailChange:
    """The change a link would make, checked exactly as confirming it would check it."""
    change = _change_for_token(token)
    if change.confirmed_at is not None:
        raise DomainError(
            ErrorCode.EMAIL_CHANGE_LINK_USED, _("This link was already used: your e-mail address was changed."), http_status=410
        )
    if email_change_pending(user=change.user) != change or change.user.email != change.old_email:
        raise DomainError(
            ErrorCode.EMAIL_CHANGE_LINK_REPLACED,
            _("This link was replaced by a newer request. Use the link in the most recent e-mail."),
            http_status=410,
        )
    return change


@transaction.atomic
def email_change_confirm(*, token: str) -> User:
    """Move the account to the new address; a used, replaced or expired link changes nothing."""
    change = email_change_preview(token=token)
    user = User.objects.select_for_update().get(pk=change.user_id)
    change = EmailChange.objects.select_for_update().get(pk=change.pk)
    if change.confirmed_at is not None:
        raise DomainError(
            ErrorCode.EMAIL_CHANGE_LINK_USED, _("This link was already used: your e-mail address was changed."), http_status=410
        )
    user.email = change.new_email
    try:
        with transaction.atomic():
            user.save(update_fields=["email"])
    except IntegrityError:
        raise DomainError(
            ErrorCode.EMAIL_TAKEN, _("Another account took this e-mail address meanwhile."), http_status=409
        ) from None
    change.confirmed_at = timezone.now()
    change.save(update_fields=["confirmed_at"])
    return user


@transaction.atomic
def password_change(*, user: User, current_password: str, new_password: str, keep_session_key: str | None) -> User:
    """Set a new password and sign out every other session of the user.

    Other sessions stop verifying at once (their auth hash no longer matches); their open
    sockets are closed after commit. The caller keeps its own session (Django's
    `update_session_auth_hash`); `keep_session_key` is that session's key BEFORE it is
    renewed, so the caller's own sockets stay open.
    """
    _require_local(user)
    if not user.check_password(current_password or ""):
        raise DomainError(ErrorCode.WRONG_PASSWORD, _("Your current password is not correct."), field="current_password")
    try:
        validate_password(new_password, user=user)
    except ValidationError as error:
        raise DomainError(ErrorCode.WEAK_PASSWORD, " ".join(error.messages), field="new_password") from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    realtime_events.user_sessions_end(
        user_id=user.pk,
        keep_session_digest=session_key_digest(keep_session_key),
        code=CLOSE_PASSWORD_CHANGED,
        reason=SESSION_END_PASSWORD_CHANGED,
    )
    context = {"settings_url": settings.PUBLIC_BASE_URL + reverse("accounts:settings")}
    with recipient_language(user):
        subject = _("Your MatchMinds password was changed")
    transaction.on_commit(
        lambda: _send(user=user, to=user.email, subject=subject, template="accounts/email/password_changed.txt", context=context),
        robust=True,
    )
    return user
