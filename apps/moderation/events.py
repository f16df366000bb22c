"""The only place that builds safety frames and addresses them."""

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.moderation.protocol import ContactMaskedFrame, NoticeFrame
from apps.realtime.events import send_to_users


def contact_masked(*, sender_id: int, room_id: int, kinds: list[str]) -> None:
    """To the sender's tabs (after commit): contact details in their message were masked."""
    frame: ContactMaskedFrame = {
        "type": "safety.contact_masked",
        "room": room_id,
        "kinds": kinds,
        "message": str(_("You can swap contact details once you have both pressed “I’d like to meet again”.")),
    }
    send_to_users([sender_id], frame)


def moderation_notice(*, user_id: int, notice_id: int, kind: str, title: str) -> None:
    """To the student's tabs (after commit): a moderation notice; `title` is in their language."""
    frame: NoticeFrame = {
        "type": "safety.notice",
        "notice": notice_id,
        "kind": kind,
        "title": title,
        "url": reverse("moderation:notices"),
    }
    send_to_users([user_id], frame)
