from celery import shared_task

from apps.events import reminders, selectors, services


@shared_task(ignore_result=True)
def broadcast_lobby_counts() -> None:
    for event in selectors.event_live_list():
        services.lobby_counts_broadcast(event_id=event.pk)


@shared_task
def send_event_reminders() -> int:
    """Beat, every minute: safe to run twice at once (each reminder is claimed by a unique row)."""
    return reminders.reminders_send_due()
