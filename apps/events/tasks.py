from celery import shared_task

from apps.events import selectors, services


@shared_task(ignore_result=True)
def broadcast_lobby_counts() -> None:
    for event in selectors.event_live_list():
        services.lobby_counts_broadcast(event_id=event.pk)
