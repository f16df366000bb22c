"""The only place that builds safety frames and addresses them."""

from django.utils.translation import gettext as _

from apps.moderation.protocol import ContactMaskedFrame
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
