from celery import shared_task
from django.conf import settings

from apps.chat import archive as chat_archive
from apps.chat import digest as chat_digest
from apps.chat import receipts as chat_receipts


@shared_task
def send_offline_digests() -> int:
    """Beat: mail one batch of digests; idempotent (each user is claimed before mailing)."""
    return chat_digest.digest_send_due(base_url=settings.PUBLIC_BASE_URL, limit=settings.CHAT_DIGEST_BATCH)


@shared_task
def broadcast_lobby_unread_counts() -> int:
    return chat_receipts.lobby_unread_broadcast()


@shared_task
def archive_idle_rooms() -> int:
    """Beat: archive the 1:1 rooms idle for CHAT_IDLE_ARCHIVE_DAYS; idempotent, batched."""
    return chat_archive.rooms_archive_idle(batch_size=settings.CHAT_IDLE_ARCHIVE_BATCH)
