"""Celery shims of the event clock: they take ids and call services; every one is safe to repeat."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from apps.rounds import selectors, services


@shared_task(ignore_result=True)
def rounds_clock() -> None:
    """Beat runs this every ROUNDS_CLOCK_INTERVAL_S: each running event gets its own tick task."""
    for event in selectors.rounds_events_running():
        rounds_tick.delay(event.pk)


@shared_task(ignore_result=True, acks_late=True)
def rounds_tick(event_id: int) -> None:
    """Concurrent ticks of one event are safe: round starts are unique per (event, number), phases change under a row lock."""
    started = services.clock_tick(event_id=event_id).started
    if started is not None:
        # The beat's tick catches up with any of these that is lost; each is a no-op when early or repeated.
        round_warn.apply_async((started.pk,), eta=started.talk_ends_at - timedelta(seconds=settings.ROUNDS_WARNING_S))
        round_talk_end.apply_async((started.pk,), eta=started.talk_ends_at)
        round_finish.apply_async((started.pk,), eta=started.break_ends_at)


@shared_task(ignore_result=True)
def round_warn(round_id: int) -> None:
    services.round_warn(round_id=round_id)


@shared_task(ignore_result=True, acks_late=True)
def round_talk_end(round_id: int) -> None:
    services.round_talk_end(round_id=round_id)


@shared_task(ignore_result=True, acks_late=True)
def round_finish(round_id: int) -> None:
    services.round_finish(round_id=round_id)


@shared_task(ignore_result=True)
def round_seat_check(user_id: int, round_id: int) -> None:
    services.seated_user_away(user_id=user_id, round_id=round_id)
