"""Joining and leaving the queue; presence of the people in it."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import User
from apps.core.errors import DomainError
from apps.core.ratelimit import RateLimit, rate_limit_hit
from apps.core.task_queue import task_send_on_commit
from apps.events.services import event_require_joinable
from apps.matching import events, queue, selectors
from apps.matching.errors import ErrorCode
from apps.matching.models import Match, MatchSeat, MatchStatus
from apps.matching.services.recording import record_after_commit, record_declined, record_wait
from apps.matching.services.records import queue_restoring, ticket_record, ticket_records_delete
from apps.matching.services.restore import queue_state_ensure


def _join_rate() -> RateLimit:
    return RateLimit("queue_join", settings.MATCHING_JOIN_RATE_LIMIT, settings.MATCHING_JOIN_RATE_WINDOW_S)


def queue_join(*, user: User, event_id: int) -> dict:
    """Put the user in the event's queue and start matching them; returns their `queue.status` frame.

    Raises DomainError (nothing changed) when the event is not live or out of scope, the profile is
    incomplete or underage, verification is missing, the user already holds a ticket, or joins too often.
    Joining again after a match ends that match: one conversation at a time per event.
    """
    rate_limit_hit(rule=_join_rate(), subject=str(user.pk))
    event = event_require_joinable(user=user, event_id=event_id)
    if queue.ticket_get(event_id=event.pk, user_id=user.pk):
        raise _already_queued()
    match_end_active(user_id=user.pk, event_id=event.pk)
    ticket_enqueue(snapshot=selectors.ticket_snapshot_build(user=user, event=event))
    return selectors.queue_status(event_id=event.pk, user_id=user.pk)


def _already_queued() -> DomainError:
    return DomainError(ErrorCode.ALREADY_QUEUED, _("You are already in this event's queue."), http_status=409)


def ticket_enqueue(*, snapshot: queue.TicketSnapshot) -> None:
    """The hot half of a join: one atomic Redis call, then PostgreSQL's copy (one statement); a
    worker then pairs the new arrivals in a batch.

    When Redis lost the queue's state the join first waits for the restore (which puts everyone
    PostgreSQL knows back in line), then tries once more; raises `queue_restoring` if that is not done in time.
    """
    try:
        state = _enqueue_recorded(snapshot)
    except queue.QueueStateLost:
        queue_state_ensure(wait_s=settings.MATCHING_RESTORE_WAIT_S)
        try:
            state = _enqueue_recorded(snapshot)
        except queue.QueueStateLost:
            raise queue_restoring() from None
    if state == "drain":
        task_send_on_commit("apps.matching.tasks.drain_arrivals", snapshot.event_id)


def _enqueue_recorded(snapshot: queue.TicketSnapshot) -> str:
    """Redis first, so a refused join ('exists') never touches the copy; a copy that cannot be
    written takes the ticket back out, so nobody waits without one."""
    joined_ms = queue.now_ms()
    outcome, state = queue.enqueue(snapshot, at_ms=joined_ms)
    if outcome == "exists":
        raise _already_queued()
    try:
        ticket_record(snapshot=snapshot, joined_ms=joined_ms)
    except Exception:
        queue.leave(event_id=snapshot.event_id, user_id=snapshot.user_id)
        raise
    return state


def match_end_active(*, user_id: int, event_id: int) -> Match | None:
    """End the user's active match in the event (they went back to the queue); tells both."""
    seat = selectors.match_active_seat(user_id=user_id, event_id=event_id)
    if seat is None:
        return None
    match = seat.match
    with transaction.atomic():
        MatchSeat.objects.filter(match=match).update(is_active=False)
        Match.objects.filter(pk=match.pk).update(status=MatchStatus.ENDED, ended_at=timezone.now())
        events.match_ended(user_ids=[match.user_a_id, match.user_b_id], match_id=match.pk, event_id=event_id)
    return match


def queue_leave(*, user_id: int, event_id: int, reason: str = "left") -> str:
    """Leave at any time (idempotent). Leaving during a proposal declines it; the partner keeps their place.

    PostgreSQL's copy goes too, so a later restore cannot bring the user back; if only that copy
    knew them (Redis lost its state), they are told they left all the same.
    """
    kind = "timed_out" if reason == "max_wait" else "left"
    result = _leave_redis(event_id=event_id, user_id=user_id, kind=kind)
    if result[0] == "confirming":
        raise DomainError(ErrorCode.MATCH_CONFIRMING, _("Your match is being confirmed."), http_status=409)
    had_copy = ticket_records_delete(event_id=event_id, user_ids=[user_id]) > 0
    if result[0] == "none":
        if not had_copy:
            return "none"
        # A restore may have read the copy just before it went: take back what it put in Redis.
        result = _leave_redis(event_id=event_id, user_id=user_id, kind=kind)
    now, join_ms = queue.now_ms(), queue.join_ms(result[-1]) if result[0] != "none" else None
    if result[0] == "left_proposal":
        if result[2]:
            events.proposal_cancelled(
                outcomes=[(int(result[2]), "partner_left", True)], proposal_id=int(result[1]), event_id=event_id
            )
        # Leaving during a proposal declines it.
        record_declined(event_id=event_id, user_id=user_id, join_ms=join_ms)
    else:
        record_after_commit(lambda: record_wait(event_id=event_id, user_id=user_id, join_ms=join_ms, now_ms=now))
    waited_s = int((now - join_ms) / 1000) if join_ms is not None else None
    events.queue_left(user_id=user_id, event_id=event_id, reason=reason, waited_s=waited_s)
    return "left"


def _leave_redis(*, event_id: int, user_id: int, kind: str) -> list[str]:
    try:
        return queue.leave(event_id=event_id, user_id=user_id, kind=kind)
    except queue.QueueStateLost:
        return ["none"]


def queue_presence_lost(*, user_id: int) -> None:
    """A socket of the user closed: start the grace period; the sweep removes them if no socket returns."""
    queue.mark_gone(user_id=user_id, grace_s=settings.MATCHING_DISCONNECT_GRACE_S)


def queue_presence_back(*, user_id: int, pipe=None) -> None:
    queue.mark_back(user_id=user_id, pipe=pipe)
