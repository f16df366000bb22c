"""Chat: send limits, group commit, typing, lobby unread counts and the offline digest (apps/chat)."""

from .environment import env
from .workers import CELERY_BEAT_SCHEDULE

CHAT_SEND_RATE_LIMIT = env.int("CHAT_SEND_RATE_LIMIT", default=30)
CHAT_SEND_RATE_WINDOW_S = 10
CHAT_BATCH_MAX = env.int("CHAT_BATCH_MAX", default=200)
CHAT_TYPING_THROTTLE_S = 2
CHAT_LOBBY_UNREAD_WINDOW = 50
CHAT_LOBBY_UNREAD_INTERVAL_S = 2
CHAT_DIGEST_OFFLINE_S = env.int("CHAT_DIGEST_OFFLINE_S", default=10 * 60)
CHAT_DIGEST_BATCH = env.int("CHAT_DIGEST_BATCH", default=200)
CHAT_HISTORY_PAGE_SIZE = 50
# How long per-room message counts (for the conversation-rate metric) outlive the last message.
CHAT_CONVERSATION_COUNT_TTL_S = 7 * 24 * 60 * 60
CELERY_BEAT_SCHEDULE["chat-offline-digests"] = {"task": "apps.chat.tasks.send_offline_digests", "schedule": 60}
CELERY_BEAT_SCHEDULE["chat-lobby-unread"] = {
    "task": "apps.chat.tasks.broadcast_lobby_unread_counts",
    "schedule": CHAT_LOBBY_UNREAD_INTERVAL_S,
}
