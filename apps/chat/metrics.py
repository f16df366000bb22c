"""What the chat tells the live dashboard: messages, and conversations that took off.

A conversation counts once, when both people of a 1:1 room have sent at least
CONVERSATION_MIN_MESSAGES messages. Per-room counts live in Redis (one pipelined round trip
per write batch, shared with the message counts); `HSETNX` on a marker makes the count
exactly-once across processes.
"""

from django.conf import settings

from apps.core.redis import get_redis
from apps.telemetry.metrics import Metric, metric_incr, metric_incr_many

CONVERSATION_MIN_MESSAGES = 3
_COUNTED_FIELD = "counted"


def _room_counts_key(room_id: int) -> str:
    return f"chat:conv:{room_id}"


def messages_recorded(*, messages: list[dict], room_meta: dict[int, tuple[str, int | None]]) -> None:
    """Record stored messages (frame data with room, sender) given each room's (kind, event id)."""
    if not messages:
        return
    client = get_redis()
    pipe = client.pipeline(transaction=False)
    metric_incr_many(
        Metric.MESSAGES,
        occurrences=[(room_meta.get(message["room"], ("", None))[1], message["sender"]) for message in messages],
        client=pipe,
    )
    direct = [message for message in messages if room_meta.get(message["room"], ("",))[0] == "direct"]
    for message in direct:
        key = _room_counts_key(message["room"])
        pipe.hincrby(key, str(message["sender"]), 1)
        pipe.expire(key, settings.CHAT_CONVERSATION_COUNT_TTL_S)
    # The message counts queued first answer first; each room count is followed by its EXPIRE.
    counts = pipe.execute()[len(messages) :: 2]
    reached = {message["room"] for message, count in zip(direct, counts, strict=True) if count == CONVERSATION_MIN_MESSAGES}
    for room_id in reached:
        per_sender = client.hgetall(_room_counts_key(room_id))
        senders = [int(value) for field, value in per_sender.items() if field != _COUNTED_FIELD]
        both_reached = len(senders) == 2 and min(senders) >= CONVERSATION_MIN_MESSAGES
        if both_reached and client.hsetnx(_room_counts_key(room_id), _COUNTED_FIELD, 1):
            metric_incr(Metric.CONVERSATIONS, event_id=room_meta[room_id][1])
