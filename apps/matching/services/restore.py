"""Redis lost the queue: notice it within a sweep, and put back everyone PostgreSQL knows to be waiting.

The marker is `mq:epoch:<layout>` (apps/matching/queue/state.py). The state is lost when the
marker is missing or names another epoch than PostgreSQL's newest (restart without persistence,
FLUSHALL, failover to an empty replica, state written by a release with another key layout),
or went back in time when a counter is behind an id PostgreSQL already holds (failover to a
lagging replica). Then a new epoch starts: every queue key is
wiped, the counters jump above every earlier id, each QueueTicket goes back at its original
join score (or its student is told), pages get their real place, matches made around the loss
are confirmed again (their frames may have been lost with Redis), and the "queue-state-lost"
alert reads the epoch row (apps/alerts/sources.py).
"""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from apps.accounts.models import Profile
from apps.accounts.selectors import profile_public_card
from apps.core.task_queue import task_send_on_commit
from apps.events.models import Event
from apps.matching import events, queue, selectors
from apps.matching.models import Match, MatchStatus, QueueEpoch, QueueEpochCause, QueueTicket, TicketEvent
from apps.matching.services.records import datetime_to_ms

logger = logging.getLogger(__name__)

RESTORE_LOCK_KEY = "mqstate:restore-lock"  # outside mq:*, so the wipe keeps it
RESTORE_CHUNK = 500
ALERTS_EVALUATE_TASK = "apps.alerts.tasks.evaluate_alert_rules"


def queue_state_problem() -> str | None:
    """Why Redis's queue state cannot be trusted (a QueueEpochCause), or None when it is intact."""
    marker = queue.state_read()
    current = QueueEpoch.objects.order_by("-pk").first()
    if current is None:
        return QueueEpochCause.FIRST
    if marker.epoch != current.pk or current.restored_at is None:
        return QueueEpochCause.LOST
    newest_proposal = Match.objects.aggregate(newest=Max("proposal_id"))["newest"] or 0
    newest_seq = TicketEvent.objects.aggregate(newest=Max("seq"))["newest"] or 0
    if marker.proposal_counter < newest_proposal or marker.history_counter < newest_seq:
        return QueueEpochCause.BEHIND
    return None


def queue_state_ensure(*, wait_s: float = 0.0) -> str:
    """Check the marker and restore the queue when it was lost; 'ok', 'restored' or 'busy'.

    Beat's sweep calls this every second (detection never waits for traffic); a join or a drain
    that meets a lost state calls it too. One process restores, under a lock; the others wait
    up to `wait_s` for the marker to come back.
    """
    if queue_state_problem() is None:
        return "ok"
    if not queue.acquire(RESTORE_LOCK_KEY, ttl_ms=settings.MATCHING_RESTORE_LOCK_S * 1000):
        _wait_for_marker(wait_s)
        return "busy"
    try:
        cause = queue_state_problem()
        if cause is None:
            return "ok"
        queue_state_restore(cause=cause)
        return "restored"
    finally:
        queue.release(RESTORE_LOCK_KEY)


def _wait_for_marker(wait_s: float) -> None:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and queue.state_read().epoch is None:
        time.sleep(0.05)


def queue_state_restore(*, cause: str) -> QueueEpoch:
    """Start a new epoch and refill Redis from PostgreSQL (caller holds the restore lock)."""
    if cause == QueueEpochCause.BEHIND:
        from apps.matching.services.upkeep import ticket_history_flush

        ticket_history_flush()  # what the lagging replica still holds is worth keeping
    queue.state_wipe()
    epoch = QueueEpoch.objects.create(cause=cause)
    queue.state_install(epoch=epoch.pk)
    with transaction.atomic():
        restored, told = _tickets_restore()
        QueueEpoch.objects.filter(pk=epoch.pk).update(restored_at=timezone.now(), restored=restored, told=len(told))
        transaction.on_commit(lambda: _after_restore(epoch=epoch, told=told))
        if cause != QueueEpochCause.FIRST:
            # The critical alert reads this epoch: evaluate now rather than at the next tick of
            # ALERTS_EVALUATION_INTERVAL_S, whose task may expire on a busy or failing-over worker
            # (up to 45 s after a lagging-replica failover in `make bench-cluster`).
            task_send_on_commit(ALERTS_EVALUATE_TASK)
    epoch.refresh_from_db()
    if cause != QueueEpochCause.FIRST:
        logger.error("queue state lost (%s): epoch %s restored %s tickets, told %s", cause, epoch.pk, restored, len(told))
    return epoch


def _tickets_restore() -> tuple[int, list[tuple[int, int, str]]]:
    """Every copy back at its original join score, oldest first; returns (restored, told as (event, user, reason)).

    The copies stay locked until the restore commits: a student leaving meanwhile waits for it,
    then takes out what it put back (services.joining.queue_leave).
    """
    rows = list(QueueTicket.objects.select_for_update().order_by("joined_at"))
    live = {event.pk for event in Event.objects.filter(pk__in={row.event_id for row in rows}) if event.is_live}
    restorable: list[tuple[queue.TicketSnapshot, float]] = []
    told: list[tuple[int, int, str]] = []
    for row in rows:
        if row.event_id not in live:
            told.append((row.event_id, row.user_id, "event_ended"))
            continue
        try:
            restorable.append((queue.TicketSnapshot.from_json(row.snapshot), datetime_to_ms(row.joined_at)))
        except (TypeError, KeyError):
            told.append((row.event_id, row.user_id, "service_reset"))
    restored = sum(
        queue.restore_many(restorable[start : start + RESTORE_CHUNK]) for start in range(0, len(restorable), RESTORE_CHUNK)
    )
    for event_id, user_id, _reason in told:
        QueueTicket.objects.filter(event_id=event_id, user_id=user_id).delete()
    return restored, told


def _after_restore(*, epoch: QueueEpoch, told: list[tuple[int, int, str]]) -> None:
    """Tell the students the restore could not put back, give everyone waiting their real place,
    and confirm again the matches made around the loss."""
    for event_id, user_id, reason in told:
        events.queue_left(user_id=user_id, event_id=event_id, reason=reason)
    for event_id in queue.event_ids_with_queue():
        events.queue_statuses(frames=selectors.queue_statuses(event_id=event_id))
    if epoch.cause != QueueEpochCause.FIRST:
        since = epoch.started_at - timedelta(seconds=settings.MATCHING_RESTORE_RECONFIRM_S)
        matches_reconfirm(since=since, until=epoch.started_at)


def matches_reconfirm(*, since: datetime, until: datetime) -> int:
    """Send `match.confirmed` again for every active match made in [since, until) (clients take it idempotently):
    their first confirmation may have been lost with Redis. Matches of the new epoch were confirmed normally."""
    matches = list(Match.objects.filter(status=MatchStatus.ACTIVE, created_at__gte=since, created_at__lt=until))
    _matches_confirm_again(matches=matches)
    return len(matches)


def match_confirmation_replay(*, user_id: int, event_id: int) -> bool:
    """A socket that asks for its state without a ticket may have missed its `match.confirmed`
    (sent while it was reconnecting to another web host or being drained): repeat it for an
    active match of this event made within the reconfirm window. Both users get it again;
    clients take it idempotently. Returns whether a confirmation was repeated."""
    since = timezone.now() - timedelta(seconds=settings.MATCHING_RESTORE_RECONFIRM_S)
    match = (
        Match.objects.filter(event_id=event_id, status=MatchStatus.ACTIVE, created_at__gte=since)
        .filter(seats__user_id=user_id, seats__is_active=True)
        .first()
    )
    if match is None:
        return False
    _matches_confirm_again(matches=[match])
    return True


def _matches_confirm_again(*, matches: list[Match]) -> None:
    user_ids = {user_id for match in matches for user_id in (match.user_a_id, match.user_b_id)}
    profiles = Profile.objects.filter(user_id__in=user_ids).select_related("university").prefetch_related("interests")
    cards = {profile.user_id: profile_public_card(profile=profile) for profile in profiles}
    for match in matches:
        events.match_confirmed(
            proposal_id=match.proposal_id,
            event_id=match.event_id,
            match_id=match.pk,
            room_id=match.room_id,
            cards={user_id: cards.get(user_id, {}) for user_id in (match.user_a_id, match.user_b_id)},
        )
