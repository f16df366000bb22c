"""Answers to proposals: yes, no, silence; a mutual yes becomes a Match exactly once."""

import json
import logging

import redis
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy

from apps.chat.rooms import room_create_direct
from apps.core.errors import DomainError
from apps.core.task_queue import task_send_on_commit
from apps.matching import events, queue
from apps.matching.models import Match, MatchSeat
from apps.matching.services.recording import record_declined, record_matched, record_timed_out
from apps.matching.services.records import queue_restoring, ticket_records_delete

logger = logging.getLogger(__name__)

_RESPOND_ERRORS = {
    "proposal_not_found": (404, gettext_lazy("There is no such proposal.")),
    "not_your_proposal": (403, gettext_lazy("This proposal is not yours.")),
    "proposal_expired": (410, gettext_lazy("This proposal has expired.")),
}


def proposal_respond(*, user_id: int, proposal_id: int, accept: bool) -> str:
    """Record a yes or no. Both yes → match; a no → the other returns to their place, the decliner leaves.

    Returns the new state: accepted (waiting for the partner), confirming, matched, declined.
    """
    try:
        result = queue.respond(proposal_id=proposal_id, user_id=user_id, accept=accept)
    except queue.QueueStateLost:
        raise queue_restoring() from None
    outcome = result[0]
    if outcome == "err":
        status, message = _RESPOND_ERRORS[result[1]]
        raise DomainError(result[1], message, http_status=status)
    event_id, other_id = int(result[1]), int(result[2])
    if outcome == "accepted":
        events.proposal_accepted(user_id=user_id, proposal_id=proposal_id, event_id=event_id)
        return "accepted"
    if outcome == "confirming":
        return "confirming"
    if outcome == "confirm":
        return "matched" if match_persist(proposal_id=proposal_id) else "cancelled"
    ticket_records_delete(event_id=event_id, user_ids=[user_id])
    events.proposal_cancelled(
        outcomes=[(user_id, "declined", False), (other_id, "partner_declined", True)], proposal_id=proposal_id, event_id=event_id
    )
    record_declined(event_id=event_id, user_id=user_id, join_ms=queue.join_ms(result[3]))
    return "declined"


def match_persist(*, proposal_id: int) -> Match | None:
    """Make the Match, its seats and the 1:1 room once per proposal; safe to call again after a crash.

    The confirm lease is re-checked inside the transaction: a lease the reaper already expired
    (both requeued) must not also produce a match. Only a Match of this very pair is ever
    returned or confirmed: a proposal id that a Redis gone back in time issued a second time
    meets the first pair's Match, and then this pair goes back to their places while the
    engine restores the queue under a new epoch.
    """
    proposal = queue.proposal_get(proposal_id)
    if not proposal:
        return None
    event_id, first, second = int(proposal["e"]), int(proposal["a"]), int(proposal["b"])
    own = _own_match(proposal_id=proposal_id, user_ids=(first, second))
    if proposal["st"] == "closed":
        return own.first()
    cards = queue.cards_get([(event_id, first, second)])
    try:
        match = _match_create(proposal_id=proposal_id, event_id=event_id, user_ids=(first, second))
    except IntegrityError:
        match = own.first()
        if match is None:
            _match_refused(proposal_id=proposal_id, event_id=event_id, user_ids=(first, second))
            return None
    if match is None:
        return own.first()
    _match_finish(proposal_id=proposal_id, event_id=event_id)
    task_send_on_commit("apps.matching.tasks.send_new_match_emails", match.pk)
    events.match_confirmed(
        proposal_id=proposal_id,
        event_id=event_id,
        match_id=match.pk,
        room_id=match.room_id,
        cards={user_id: json.loads(card or "{}") for (_, user_id), card in cards.items()},
    )
    return match


def _own_match(*, proposal_id: int, user_ids: tuple[int, int]):
    low, high = sorted(user_ids)
    return Match.objects.filter(proposal_id=proposal_id, user_a_id=low, user_b_id=high)


def _match_create(*, proposal_id: int, event_id: int, user_ids: tuple[int, int]) -> Match | None:
    """The Match, seats, room, and the end of both tickets' PostgreSQL copies, in one transaction;
    None when the confirm lease is no longer held."""
    low, high = sorted(user_ids)
    with transaction.atomic():
        # The unique proposal id makes a second persist fail here rather than duplicate.
        if not queue.hold(proposal_id=proposal_id):
            return None
        room = room_create_direct(user_ids=(low, high), event_id=event_id)
        match = Match.objects.create(event_id=event_id, proposal_id=proposal_id, user_a_id=low, user_b_id=high, room=room)
        MatchSeat.objects.bulk_create([MatchSeat(match=match, event_id=event_id, user_id=user_id) for user_id in (low, high)])
        ticket_records_delete(event_id=event_id, user_ids=[low, high])
    return match


def _match_refused(*, proposal_id: int, event_id: int, user_ids: tuple[int, int]) -> None:
    """PostgreSQL refused the Match: both go back to their places and are told. When the id
    belongs to another pair's Match, Redis issued it twice: its state is condemned and restored."""
    issued_twice = Match.objects.filter(proposal_id=proposal_id).exists()
    try:
        finished = queue.finish(proposal_id=proposal_id, matched=False)
    except queue.QueueStateLost:
        finished = None
    if finished:
        events.proposal_cancelled(
            outcomes=[(user_id, "lease_expired", True) for user_id in user_ids], proposal_id=proposal_id, event_id=event_id
        )
    if issued_twice:
        logger.error("proposal id %s was issued twice (Redis went back in time); restoring the queue", proposal_id)
        queue.state_condemn()
    else:
        logger.warning("proposal %s conflicts with an existing match; both users requeued", proposal_id)


def _match_finish(*, proposal_id: int, event_id: int) -> None:
    """Take both tickets out of Redis. The Match is durable already: a Redis that fails now only
    delays this (the restore and the confirm lease settle it), never the confirmation."""
    try:
        finished = queue.finish(proposal_id=proposal_id, matched=True)
    except (queue.QueueStateLost, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
        logger.warning("proposal %s matched but Redis could not close it now", proposal_id)
        return
    if finished:
        record_matched(event_id=event_id, finished=finished)


def proposal_expire(*, event_id: int, proposal_id: int, at_ms: float | None = None) -> str:
    """Resolve a proposal whose lease ran out: requeue or drop each side and tell them."""
    result = queue.expire(event_id=event_id, proposal_id=proposal_id, at_ms=at_ms)
    outcome = result[0]
    if outcome == "lease":
        events.proposal_cancelled(
            outcomes=[(int(result[1]), "lease_expired", True), (int(result[3]), "lease_expired", True)],
            proposal_id=proposal_id,
            event_id=event_id,
        )
    elif outcome == "timeout":
        told = []
        for user_id, fate in ((result[1], result[2]), (result[3], result[4])):
            requeued = fate == "requeued"
            told.append((int(user_id), "partner_timeout" if requeued else "timeout", requeued))
        dropped = [user_id for user_id, reason, _requeued in told if reason == "timeout"]
        ticket_records_delete(event_id=event_id, user_ids=dropped)
        events.proposal_cancelled(outcomes=told, proposal_id=proposal_id, event_id=event_id)
        record_timed_out(event_id=event_id, result=result)
    elif outcome == "confirming":
        if _own_match(proposal_id=proposal_id, user_ids=(int(result[1]), int(result[2]))).exists():
            match_persist(proposal_id=proposal_id)
            return "matched"
        finished = queue.finish(proposal_id=proposal_id, matched=False)
        if finished:
            events.proposal_cancelled(
                outcomes=[(finished.user_a, "lease_expired", True), (finished.user_b, "lease_expired", True)],
                proposal_id=proposal_id,
                event_id=event_id,
            )
    return outcome
