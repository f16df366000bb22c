"""The one place that decides whether a person gets an e-mail of a kind, and in which language.

Every sender of a notification e-mail asks `may_notify(user, kind)` first, renders inside
`recipient_language(user)`, and adds `unsubscribe_headers(user=..., kind=...)`: a signed,
per-kind link that needs no sign-in (RFC 2369 List-Unsubscribe, RFC 8058 one-click POST).
The link turns off exactly that kind; the settings page (or the API) turns it back on.
"""

from contextlib import AbstractContextManager

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from apps.accounts.errors import ErrorCode
from apps.accounts.models import Language, NotificationKind, NotificationOptOut, OptOutSource, User
from apps.core.errors import DomainError

__all__ = ["NotificationKind", "may_notify", "recipient_language"]

UNSUBSCRIBE_SALT = "accounts.notifications.unsubscribe"


def may_notify(user: User | int, kind: NotificationKind) -> bool:
    """Whether `user` (or a user id) wants e-mails of `kind`; inactive accounts get none."""
    user_id = user if isinstance(user, int) else user.pk
    if not isinstance(user, int) and not user.is_active:
        return False
    return not NotificationOptOut.objects.filter(user_id=user_id, kind=NotificationKind(kind)).exists()


def moderation_notice_mail_allowed(*, user_id: int) -> bool:
    """Moderation's hook `notice_mail_allowed`: the notice page shows every notice regardless."""
    return may_notify(user_id, NotificationKind.MODERATION_NOTICE)


def account_language(*, user_id: int) -> str:
    """Moderation's hook `user_language`: the account's ko/en choice, "" until one is made."""
    return User.objects.filter(pk=user_id).values_list("language", flat=True).first() or ""


def opted_out_sql(*, user_column: str, kind: NotificationKind) -> str:
    """A SQL condition true when the user in `user_column` switched `kind` off, for senders
    that pick their recipients in one statement (the kind is a fixed enum value, not input)."""
    table = NotificationOptOut._meta.db_table
    value = NotificationKind(kind).value
    return f"EXISTS (SELECT 1 FROM {table} optout WHERE optout.user_id = {user_column} AND optout.kind = '{value}')"  # noqa: S608


def notification_preferences(*, user: User) -> dict[str, bool]:
    """Every kind, in the enum's order, with whether it is on."""
    off = set(NotificationOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return {kind.value: kind.value not in off for kind in NotificationKind}


def notification_set(*, user: User, kind: NotificationKind, enabled: bool, source: OptOutSource = OptOutSource.SETTINGS) -> bool:
    """Turn one kind on or off; returns whether anything changed (setting it again is no change)."""
    kind = NotificationKind(kind)
    if enabled:
        deleted, _rows = NotificationOptOut.objects.filter(user=user, kind=kind).delete()
        return bool(deleted)
    try:
        with transaction.atomic():
            _optout, created = NotificationOptOut.objects.get_or_create(user=user, kind=kind, defaults={"source": source})
    except IntegrityError:
        return False
    return created


@transaction.atomic
def notification_preferences_set(*, user: User, changes: dict[str, bool]) -> dict[str, bool]:
    """Apply several kinds at once, all or nothing; an unknown kind changes nothing."""
    unknown = sorted(name for name in changes if name not in NotificationKind.values)
    if unknown:
        raise DomainError(
            ErrorCode.INVALID_NOTIFICATION_KIND,
            _("Unknown notification kind: %(kinds)s. Known kinds: %(known)s.")
            % {"kinds": ", ".join(unknown), "known": ", ".join(NotificationKind.values)},
            field="notifications",
        )
    for name, enabled in changes.items():
        notification_set(user=user, kind=NotificationKind(name), enabled=enabled)
    return notification_preferences(user=user)


def unsubscribe_token(*, user_id: int, kind: NotificationKind) -> str:
    return signing.dumps({"u": user_id, "k": NotificationKind(kind).value}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(*, user_id: int, kind: NotificationKind, base_url: str | None = None) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind)
    return (base_url or settings.PUBLIC_BASE_URL) + reverse("accounts:unsubscribe", args=[token])


def unsubscribe_headers(*, user_id: int, kind: NotificationKind, base_url: str | None = None) -> dict[str, str]:
    """The headers that let a mail client offer "unsubscribe" and do it in one POST (RFC 8058)."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user_id=user_id, kind=kind, base_url=base_url)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def unsubscribe_target(*, token: str) -> tuple[User, NotificationKind]:
    """Whom and which kind a link names; a forged, altered or unknown one is refused."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        kind = NotificationKind(data["k"])
        user = User.objects.get(pk=data["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, User.DoesNotExist):
        raise DomainError(
            ErrorCode.INVALID_UNSUBSCRIBE_LINK,
            _("This unsubscribe link is not valid. You can change your e-mail settings after signing in."),
            http_status=400,
        ) from None
    return user, kind


def unsubscribe(*, token: str) -> tuple[User, NotificationKind]:
    """Turn off the one kind the link names (again is fine: a link may be clicked twice)."""
    user, kind = unsubscribe_target(token=token)
    notification_set(user=user, kind=kind, enabled=False, source=OptOutSource.UNSUBSCRIBE_LINK)
    return user, kind


def recipient_language(user: User) -> AbstractContextManager:
    """Render an e-mail to `user` in their language. Until they choose one: the language in
    effect, i.e. the page's for a mail a request sends, the site's default in a worker."""
    language = user.language if user.language in Language.values else translation.get_language() or settings.LANGUAGE_CODE
    return translation.override(language)


def user_language_set(*, user: User, language: str) -> User:
    """Keep `language` for the user's pages and e-mails; "" goes back to following the browser."""
    if language not in ("", *Language.values):
        raise DomainError(
            ErrorCode.INVALID_LANGUAGE,
            _("Choose one of these languages: %(languages)s.") % {"languages": ", ".join(Language.values)},
            field="language",
        )
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
