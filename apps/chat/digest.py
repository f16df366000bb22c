"""The missed-messages e-mail digest and its unsubscribe link."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.db.models import Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts import notifications
from apps.accounts.models import NotificationKind, OptOutSource, User
from apps.chat import selectors
from apps.chat.models import ChatPreference, MessageKind, RoomKind, RoomMember
from apps.chat.protocol import ErrorCode
from apps.core.errors import DomainError
from apps.realtime import presence

# Links mailed before the per-kind unsubscribe (apps/accounts/notifications.py) still work.
LEGACY_UNSUBSCRIBE_SALT = "chat.digest.unsubscribe"


def digest_unsubscribe_legacy(*, token: str) -> int:
    """Switch the digest off for the user an old digest link names; returns the user id."""
    try:
        user_id = signing.loads(token, salt=LEGACY_UNSUBSCRIBE_SALT)
        user = User.objects.get(pk=user_id)
    except (signing.BadSignature, User.DoesNotExist, ValueError, TypeError):
        raise DomainError(ErrorCode.INVALID_TOKEN, _("This unsubscribe link is not valid."), http_status=400) from None
    notifications.notification_set(user=user, kind=NotificationKind.DIGEST, enabled=False, source=OptOutSource.UNSUBSCRIBE_LINK)
    return user_id


def digest_send_due(*, base_url: str, limit: int) -> int:
    """E-mail one digest to each of up to `limit` members offline for CHAT_DIGEST_OFFLINE_S with news.

    Each user is claimed with a conditional update of `digest_covered_until` before the
    mail leaves, so concurrent or retried runs never mail the same news twice.
    """
    now = timezone.now()
    cutoff = now - timezone.timedelta(seconds=settings.CHAT_DIGEST_OFFLINE_S)
    sent = 0
    for user_id in digest_candidate_ids(cutoff=cutoff, limit=limit):
        last_seen = presence.user_last_seen(user_id=user_id)
        if presence.user_is_online(user_id=user_id) or (last_seen and last_seen > cutoff.timestamp()):
            continue
        preference, _created = ChatPreference.objects.get_or_create(user_id=user_id)
        since = preference.digest_covered_until
        claimed = ChatPreference.objects.filter(pk=preference.pk, digest_covered_until=since).update(digest_covered_until=cutoff)
        if not claimed:
            continue
        contents = digest_contents(user_id=user_id, since=since)
        if contents["new_matches"] or contents["rooms"]:
            _digest_mail(user=User.objects.get(pk=user_id), contents=contents, base_url=base_url)
            sent += 1
    return sent


def _digest_mail(*, user: User, contents: dict, base_url: str) -> None:
    unsubscribe_url = notifications.unsubscribe_url(user_id=user.pk, kind=NotificationKind.DIGEST, base_url=base_url)
    context = {**contents, "unsubscribe_url": unsubscribe_url, "rooms_url": base_url + reverse("chat:rooms")}
    with notifications.recipient_language(user):
        subject = _("New messages on MatchMinds")
        body = render_to_string("chat/email/digest.txt", context)
    headers = notifications.unsubscribe_headers(user_id=user.pk, kind=NotificationKind.DIGEST, base_url=base_url)
    EmailMultiAlternatives(subject, body, to=[user.email], headers=headers).send()


def digest_candidate_ids(*, cutoff, limit: int) -> list[int]:
    """Users (digest on: `may_notify`'s rule in SQL) with 1:1 rooms or unread messages not covered
    by a digest yet, older than cutoff.

    The caller still checks presence: only someone offline since the cutoff gets a digest.
    """
    opted_out = notifications.opted_out_sql(user_column="m.user_id", kind=NotificationKind.DIGEST)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT m.user_id
              FROM chat_roommember m
              JOIN chat_room r ON r.id = m.room_id AND r.kind = 'direct'
              JOIN accounts_user u ON u.id = m.user_id AND u.is_active
              LEFT JOIN chat_chatpreference p ON p.user_id = m.user_id
             WHERE NOT {opted_out}
               AND ((m.joined_at > COALESCE(p.digest_covered_until, '-infinity') AND m.joined_at <= %(cutoff)s)
                    OR EXISTS (SELECT 1 FROM chat_message msg
                                WHERE msg.room_id = m.room_id AND msg.seq > m.last_read_seq
                                  AND msg.sender_id <> m.user_id
                                  AND msg.sent_at > COALESCE(p.digest_covered_until, '-infinity')
                                  AND msg.sent_at <= %(cutoff)s))
             ORDER BY m.user_id
             LIMIT %(limit)s
            """,  # noqa: S608 - the opt-out condition is built from an enum and a model table
            {"cutoff": cutoff, "limit": limit},
        )
        return [row[0] for row in cursor.fetchall()]


def digest_contents(*, user_id: int, since) -> dict:
    """What a digest tells the user: new matches and unread 1:1 messages per partner since `since`.

    One query for every room's unread count and last unread message, however many rooms."""
    unread = selectors.unread_in_outer_room(user_id=user_id, since=since)
    members = list(
        RoomMember.objects.filter(user_id=user_id, room__kind=RoomKind.DIRECT)
        .annotate(
            unread_count=Subquery(selectors.count_of(unread)),
            last_unread_body=Subquery(unread.order_by("-seq").values("body")[:1]),
            last_unread_kind=Subquery(unread.order_by("-seq").values("kind")[:1]),
        )
        .order_by("joined_at", "pk")
    )
    partners = selectors.room_partners(room_ids=[member.room_id for member in members], user_id=user_id)
    new_matches, rooms = [], []
    for member in members:
        partner = partners.get(member.room_id)
        name = partner["nickname"] if partner else ""
        if since is None or member.joined_at > since:
            new_matches.append(name)
        if member.unread_count:
            # A photo's body is its image's id: the mail says "Photo" instead.
            last_body = gettext_lazy("Photo") if member.last_unread_kind == MessageKind.IMAGE else member.last_unread_body[:80]
            rooms.append({"room_id": member.room_id, "partner": name, "count": member.unread_count, "last_body": last_body})
    return {"new_matches": new_matches, "rooms": rooms}
