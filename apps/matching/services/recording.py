"""Live metrics of the queue (docs/metrics.md), recorded once a step is durable; never fails matching."""

from django.db import transaction

from apps.matching import queue
from apps.telemetry import metrics
from apps.telemetry.metrics import Metric


def record_after_commit(record) -> None:
    """Record live metrics (docs/metrics.md) once the step is durable; a metrics failure never fails matching."""
    transaction.on_commit(record, robust=True)


def record_wait(*, event_id: int, user_id: int, join_ms: float | None, now_ms: float) -> None:
    """A ticket left the queue (matched or gave up): seconds since its ORIGINAL join (requeues keep it)."""
    if join_ms is not None:
        metrics.metric_observe(Metric.QUEUE_WAIT, (now_ms - join_ms) / 1000, event_id=event_id, user_id=user_id)


def record_matched(*, event_id: int, finished: queue.Finished) -> None:
    # Counted where the atomic finish succeeds: exactly once per match, whichever path got there.
    now = queue.now_ms()

    def record() -> None:
        metrics.metric_incr(Metric.CONFIRMED, event_id=event_id, user_id=finished.user_a)
        record_wait(event_id=event_id, user_id=finished.user_a, join_ms=finished.join_ms_a, now_ms=now)
        record_wait(event_id=event_id, user_id=finished.user_b, join_ms=finished.join_ms_b, now_ms=now)

    record_after_commit(record)


def record_declined(*, event_id: int, user_id: int, join_ms: float | None) -> None:
    """The decliner's ticket left the queue: a declined proposal and one wait that ended unmatched."""
    now = queue.now_ms()

    def record() -> None:
        metrics.metric_incr(Metric.DECLINED, event_id=event_id, user_id=user_id)
        record_wait(event_id=event_id, user_id=user_id, join_ms=join_ms, now_ms=now)

    record_after_commit(record)


def record_timed_out(*, event_id: int, result: list[str]) -> None:
    """One timed-out proposal (attributed to the first silent user) and a wait for each user it dropped."""
    now = queue.now_ms()
    dropped = [
        (int(user_id), queue.join_ms(join_raw))
        for user_id, fate, join_raw in ((result[1], result[2], result[5]), (result[3], result[4], result[6]))
        if fate == "dropped"
    ]

    def record() -> None:
        metrics.metric_incr(Metric.TIMED_OUT, event_id=event_id, user_id=dropped[0][0] if dropped else None)
        for user_id, join_ms in dropped:
            record_wait(event_id=event_id, user_id=user_id, join_ms=join_ms, now_ms=now)

    record_after_commit(record)
