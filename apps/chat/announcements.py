"""Staff announcements in an event's lobby chat, as the public event widget shows them."""

from apps.chat.models import Message, MessageKind, RoomKind


def lobby_announcements_latest(*, event_id: int, limit: int) -> list[dict]:
    """The newest `limit` announcements of the event's lobby, newest first (public text only)."""
    rows = (
        Message.objects.filter(room__event_id=event_id, room__kind=RoomKind.LOBBY, kind=MessageKind.ANNOUNCEMENT)
        .order_by("-seq")
        .values_list("body", "sent_at")[:limit]
    )
    return [{"body": body, "sent_at": sent_at.isoformat()} for body, sent_at in rows]
