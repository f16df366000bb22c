import logging

from celery import shared_task

from apps.moderation import images as moderation_images
from apps.moderation import notices as moderation_notices
from apps.moderation import reports as moderation_reports
from apps.moderation import sanctions as moderation_sanctions
from apps.moderation.image_backends import ImageBackendError

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=3, default_retry_delay=5)
def moderate_image(self, image_id: int) -> None:
    try:
        moderation_images.image_moderate(image_id=image_id)
    except ImageBackendError as error:
        if self.request.retries >= self.max_retries:
            logger.warning("image %s: backend failed for good (%s); sent to human review", image_id, error)
            moderation_images.image_backend_gave_up(image_id=image_id, error=str(error))
            return
        raise self.retry(exc=error, countdown=5 * 2**self.request.retries) from error


@shared_task(ignore_result=True)
def publish_moderation_backlog() -> None:
    moderation_sanctions.moderation_backlog_publish()


@shared_task
def purge_expired_evidence() -> int:
    return moderation_reports.evidence_purge_expired()


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def send_notice_mail(self, notice_id: int) -> bool:
    """E-mail one moderation notice; a mail server that refuses is retried with backoff."""
    try:
        return moderation_notices.notice_mail_send(notice_id=notice_id)
    except OSError as error:
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error
