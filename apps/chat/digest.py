"""The missed-messages e-mail digest and its unsubscribe link."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.chat import selectors
from apps.chat.models import ChatPreference
from apps.chat.protocol import ErrorCode
from apps.core.errors import DomainError
from apps.realtime import presence

UNSUBSCRIBE_SALT = "chat.digest.unsubscribe"


def digest_unsubscribe_token(*, user_id: int) -> str:
    return signing.dumps(user_id, salt=UNSUBSCRIBE_SALT)


def digest_unsubscribe(*, token: str) -> int:
    """Switch the digest off for the user the signed token names; returns the user id."""
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise DomainError(ErrorCode.INVALID_TOKEN, _("This unsubscribe link is not valid."), http_status=400) from None
    ChatPreference.objects.update_or_create(user_id=user_id, defaults={"digest_enabled": False})
    return user_id


def digest_send_due(*, base_url: str, limit: int) -> int:
    """E-mail one digest to each of up to `limit` members offline for CHAT_DIGEST_OFFLINE_S with news.

    Each user is claimed with a conditional update of `digest_covered_until` before the
    mail leaves, so concurrent or retried runs never mail the same news twice.
    """
    now = timezone.now()
    cutoff = now - timezone.timedelta(seconds=settings.CHAT_DIGEST_OFFLINE_S)
    sent = 0
    for user_id in selectors.digest_candidate_ids(cutoff=cutoff, limit=limit):
        last_seen = presence.user_last_seen(user_id=user_id)
        if presence.user_is_online(user_id=user_id) or (last_seen and last_seen > cutoff.timestamp()):
            continue
        preference, _created = ChatPreference.objects.get_or_create(user_id=user_id)
        since = preference.digest_covered_until
        claimed = ChatPreference.objects.filter(pk=preference.pk, digest_covered_until=since).update(digest_covered_until=cutoff)
        if not claimed:
            continue
        contents = selectors.digest_contents(user_id=user_id, since=since)
        if contents["new_matches"] or contents["rooms"]:
            _digest_mail(user=User.objects.get(pk=user_id), contents=contents, base_url=base_url)
            sent += 1
    return sent


def _digest_mail(*, user: User, contents: dict, base_url: str) -> None:
    unsubscribe_url = base_url + reverse("chat:unsubscribe", args=[digest_unsubscribe_token(user_id=user.pk)])
    context = {**contents, "unsubscribe_url": unsubscribe_url, "rooms_url": base_url + reverse("chat:rooms")}
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("New messages on MatchMinds")
        body = render_to_string("chat/email/digest.txt", context)
    mail = EmailMultiAlternatives(subject, body, to=[user.email], headers={"List-Unsubscribe": f"<{unsubscribe_url}>"})
    mail.send()
