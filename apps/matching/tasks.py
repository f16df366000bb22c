from celery import shared_task

from apps.matching import queue, services


@shared_task(ignore_result=True)
def drain_arrivals(event_id: int) -> None:
    services.arrivals_drain(event_id=event_id)


@shared_task(ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_new_match_emails(match_id: int) -> None:
    """Both people's new-match e-mails; a mail server hiccup retries (each mail leaves once)."""
    services.match_emails_send(match_id=match_id)


@shared_task(ignore_result=True)
def sweep_live_queues() -> None:
    """Beat runs this every MATCHING_SWEEP_INTERVAL_S; concurrent runs are safe, the lock only saves work.

    It first checks that Redis still holds the queue's state (and restores it when not), so a
    loss is noticed within a second even when nobody joins.
    """
    services.queue_state_ensure()
    event_ids = queue.event_ids_with_queue()
    for event_id in event_ids:
        if queue.acquire(f"mq:{event_id}:sweep-lock", ttl_ms=800):
            try:
                services.queue_sweep(event_id=event_id)
            except queue.QueueStateLost:
                services.queue_state_ensure()
            finally:
                queue.release(f"mq:{event_id}:sweep-lock")
    services.queue_depth_publish(event_ids=event_ids)


@shared_task(ignore_result=True)
def flush_ticket_history() -> None:
    while services.ticket_history_flush() == services.HISTORY_FLUSH_BATCH:
        continue


@shared_task(ignore_result=True)
def reconcile_queues() -> None:
    services.queues_reconcile()
