from celery import shared_task

from apps.alerts import services


@shared_task(ignore_result=True)
def evaluate_alert_rules() -> None:
    services.alerts_tick()


@shared_task(bind=True, ignore_result=True, max_retries=None)
def deliver_notification(self, notification_id: int) -> None:
    retry_in_s = services.notification_deliver(notification_id=notification_id)
    if retry_in_s is not None:
        raise self.retry(countdown=retry_in_s)
