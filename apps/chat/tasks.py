from celery import shared_task
from django.conf import settings

from apps.chat import services


@shared_task
def send_offline_digests() -> int:
    """Beat: mail one batch of digests; idempotent (each user is claimed before mailing)."""
    return services.digest_send_due(base_url=settings.PUBLIC_BASE_URL, limit=settings.CHAT_DIGEST_BATCH)


@shared_task
def broadcast_lobby_unread_counts() -> int:
    return services.lobby_unread_broadcast()
