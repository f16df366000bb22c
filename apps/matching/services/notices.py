"""The new-match e-mail: each of the two is told whom they matched with and where to chat.

Queued by name after the Match commits (`match_persist`); the task may run twice (a retry, a
replayed confirmation), so each person's mail is claimed once in Redis before it leaves.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts import notifications
from apps.accounts.models import NotificationKind, Profile, User
from apps.core.redis import get_redis
from apps.matching.models import Match

# Long enough to outlive any retry of the task; the Match is the lasting record.
MAIL_CLAIM_TTL_S = 7 * 24 * 60 * 60


def match_emails_send(*, match_id: int) -> int:
    """Mail both people of the match who want new-match e-mails; returns how many mails left."""
    match = Match.objects.select_related("event", "user_a", "user_b").filter(pk=match_id).first()
    if match is None:
        return 0
    nicknames = dict(Profile.objects.filter(user_id__in=[match.user_a_id, match.user_b_id]).values_list("user_id", "nickname"))
    sent = 0
    for user, partner in ((match.user_a, match.user_b), (match.user_b, match.user_a)):
        if not notifications.may_notify(user, NotificationKind.NEW_MATCH):
            continue
        claim = f"match-mail:{match.pk}:{user.pk}"
        if not get_redis().set(claim, 1, nx=True, ex=MAIL_CLAIM_TTL_S):
            continue
        try:
            _match_mail(user=user, match=match, partner_nickname=nicknames.get(partner.pk, ""))
        except OSError:
            # Released so the task's retry sends it; the partner's mail (if sent) stays claimed.
            get_redis().delete(claim)
            raise
        sent += 1
    return sent


def _match_mail(*, user: User, match: Match, partner_nickname: str) -> None:
    base = settings.PUBLIC_BASE_URL
    context = {
        "partner": partner_nickname,
        "event": match.event.name,
        "room_url": base + reverse("chat:room", args=[match.room_id]) if match.room_id else base + reverse("chat:rooms"),
        "unsubscribe_url": notifications.unsubscribe_url(user_id=user.pk, kind=NotificationKind.NEW_MATCH),
    }
    headers = notifications.unsubscribe_headers(user_id=user.pk, kind=NotificationKind.NEW_MATCH)
    with notifications.recipient_language(user):
        subject = _("It's a match: %(partner)s") % {"partner": partner_nickname}
        body = render_to_string("matching/email/new_match.txt", context)
    EmailMultiAlternatives(subject, body, to=[user.email], headers=headers).send()
