"""The only place that builds lobby frames and addresses them."""

from apps.events.protocol import LobbyCountsFrame
from apps.realtime.events import send_to_groups
from apps.realtime.protocol import event_group


def lobby_counts_frame(*, event_id: int, counts: dict[str, int]) -> LobbyCountsFrame:
    return {"type": "lobby.counts", "event": event_id, "counts": counts}


def lobby_counts(*, event_id: int, counts: dict[str, int]) -> None:
    """To everyone showing the event's lobby, after commit."""
    send_to_groups([event_group(event_id)], lobby_counts_frame(event_id=event_id, counts=counts))
