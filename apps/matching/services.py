"""Matching writes: joining/leaving the queue, pairing, answers, persistence, sweeps, repair.

Redis holds the live queue (apps/matching/queue.py; every move is one atomic script);
PostgreSQL holds matches and the ticket history. Frames leave through apps/matching/events.py.
"""

import json
import logging
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.accounts.models import User
from apps.chat.services import room_create_direct
from apps.core.errors import DomainError
from apps.core.ratelimit import RateLimit, rate_limit_hit
from apps.core.redis import get_redis
from apps.dashboard import metrics
from apps.dashboard.metrics import Metric
from apps.events.models import Event
from apps.events.services import event_require_joinable
from apps.matching import events, queue, selectors
from apps.matching.models import Match, MatchSeat, MatchStatus, TicketEvent
from apps.realtime import presence

logger = logging.getLogger(__name__)

HISTORY_FLUSH_BATCH = 5000


def _record_after_commit(record) -> None:
    """Record live metrics (docs/metrics.md) once the step is durable; a metrics failure never fails matching."""
    transaction.on_commit(record, robust=True)


def _record_wait(*, event_id: int, user_id: int, join_ms: float | None, now_ms: float) -> None:
    """A ticket left the queue (matched or gave up): seconds since its ORIGINAL join (requeues keep it)."""
    if join_ms is not None:
        metrics.metric_observe(Metric.QUEUE_WAIT, (now_ms - join_ms) / 1000, event_id=event_id, user_id=user_id)


def _record_matched(*, event_id: int, finished: queue.Finished) -> None:
    # Counted where the atomic finish succeeds: exactly once per match, whichever path got there.
    now = queue.now_ms()

    def record() -> None:
        metrics.metric_incr(Metric.CONFIRMED, event_id=event_id, user_id=finished.user_a)
        _record_wait(event_id=event_id, user_id=finished.user_a, join_ms=finished.join_ms_a, now_ms=now)
        _record_wait(event_id=event_id, user_id=finished.user_b, join_ms=finished.join_ms_b, now_ms=now)

    _record_after_commit(record)


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
    return DomainError("already_queued", _("You are already in this event's queue."), http_status=409)


def ticket_enqueue(*, snapshot: queue.TicketSnapshot) -> None:
    """The hot half of a join: one atomic Redis call; a worker then pairs the new arrivals in a batch."""
    from apps.matching.tasks import drain_arrivals

    outcome, state = queue.enqueue(snapshot)
    if outcome == "exists":
        raise _already_queued()
    if state == "drain":
        transaction.on_commit(lambda: drain_arrivals.delay(snapshot.event_id))


def arrivals_drain(*, event_id: int, batch: int = 50) -> int:
    """Pair every user who arrived since the last drain (bounded scan each); returns proposals made.

    One task serves a burst of arrivals, so a 500-per-second crowd costs a few tasks a second,
    not 500. Arrivals a lost drain never saw are waiting in their buckets for the next sweep.
    """
    made = 0
    while user_ids := queue.arrivals_take(event_id=event_id, count=batch):
        made += proposals_announce(proposals=queue.pair_many(event_id=event_id, user_ids=user_ids))
    return made


def proposals_announce(*, proposals: list[queue.NewProposal]) -> int:
    """Send each pair their proposal, then start the accept clocks; returns how many were announced.

    Frames go first: a worker killed in between leaves the short notify lease to expire and
    both users return to their places, instead of timing out on a proposal they never saw.
    """
    if not proposals:
        return 0
    # A block made while both waited: the exclusions copied at join could not know it.
    blocked = selectors.blocked_pairs(pairs=[proposal.user_ids for proposal in proposals])
    announce = []
    for proposal in proposals:
        if frozenset(proposal.user_ids) in blocked:
            queue.cancel(proposal_id=proposal.proposal_id, detail="blocked")
        else:
            announce.append(proposal)
    if not announce:
        return 0
    deadlines = [queue.now_ms() + proposal.accept_timeout_s * 1000 for proposal in announce]
    events.proposals_announce(
        proposals=[
            (
                proposal.proposal_id,
                proposal.event_id,
                {user_id: json.loads(card or "{}") for user_id, card in zip(proposal.user_ids, proposal.cards, strict=True)},
                proposal.accept_timeout_s,
                deadline_ms,
            )
            for proposal, deadline_ms in zip(announce, deadlines, strict=True)
        ]
    )
    queue.mark_notified(proposal_ids=[proposal.proposal_id for proposal in announce], accept_deadlines_ms=deadlines)
    # One pipelined round trip for the whole batch; the pair is attributed to the user who found the partner.
    _record_after_commit(
        lambda: metrics.metric_incr_many(
            Metric.PROPOSALS, occurrences=[(proposal.event_id, proposal.user_ids[0]) for proposal in announce]
        )
    )
    return len(announce)


_RESPOND_ERRORS = {
    "proposal_not_found": (404, gettext_lazy("There is no such proposal.")),
    "not_your_proposal": (403, gettext_lazy("This proposal is not yours.")),
    "proposal_expired": (410, gettext_lazy("This proposal has expired.")),
}


def proposal_respond(*, user_id: int, proposal_id: int, accept: bool) -> str:
    """Record a yes or no. Both yes → match; a no → the other returns to their place, the decliner leaves.

    Returns the new state: accepted (waiting for the partner), confirming, matched, declined.
    """
    result = queue.respond(proposal_id=proposal_id, user_id=user_id, accept=accept)
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
    events.proposal_cancelled(
        outcomes=[(user_id, "declined", False), (other_id, "partner_declined", True)], proposal_id=proposal_id, event_id=event_id
    )
    _record_declined(event_id=event_id, user_id=user_id, join_ms=queue.join_ms(result[3]))
    return "declined"


def _record_declined(*, event_id: int, user_id: int, join_ms: float | None) -> None:
    """The decliner's ticket left the queue: a declined proposal and one wait that ended unmatched."""
    now = queue.now_ms()

    def record() -> None:
        metrics.metric_incr(Metric.DECLINED, event_id=event_id, user_id=user_id)
        _record_wait(event_id=event_id, user_id=user_id, join_ms=join_ms, now_ms=now)

    _record_after_commit(record)


def match_persist(*, proposal_id: int) -> Match | None:
    """Make the Match, its seats and the 1:1 room once per proposal; safe to call again after a crash.

    The confirm lease is re-checked inside the transaction: a lease the reaper already expired
    (both requeued) must not also produce a match.
    """
    proposal = queue.proposal_get(proposal_id)
    if not proposal:
        return None
    if proposal["st"] == "closed":
        return Match.objects.filter(proposal_id=proposal_id).first()
    event_id, first, second = int(proposal["e"]), int(proposal["a"]), int(proposal["b"])
    low, high = sorted((first, second))
    cards = queue.cards_get([(event_id, first, second)])
    try:
        with transaction.atomic():
            # The unique proposal id makes a second persist fail here rather than duplicate.
            if not queue.hold(proposal_id=proposal_id):
                return Match.objects.filter(proposal_id=proposal_id).first()
            room = room_create_direct(user_ids=(low, high), event_id=event_id)
            match = Match.objects.create(event_id=event_id, proposal_id=proposal_id, user_a_id=low, user_b_id=high, room=room)
            MatchSeat.objects.bulk_create([MatchSeat(match=match, event_id=event_id, user_id=user_id) for user_id in (low, high)])
    except IntegrityError:
        match = Match.objects.filter(proposal_id=proposal_id).first()
        if match is None:
            logger.warning("proposal %s conflicts with an existing match; both users requeued", proposal_id)
            if queue.finish(proposal_id=proposal_id, matched=False):
                events.proposal_cancelled(
                    outcomes=[(first, "lease_expired", True), (second, "lease_expired", True)],
                    proposal_id=proposal_id,
                    event_id=event_id,
                )
            return None
    finished = queue.finish(proposal_id=proposal_id, matched=True)
    if finished:
        _record_matched(event_id=event_id, finished=finished)
    events.match_confirmed(
        proposal_id=proposal_id,
        event_id=event_id,
        match_id=match.pk,
        room_id=match.room_id,
        cards={user_id: json.loads(card or "{}") for (_, user_id), card in cards.items()},
    )
    return match


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
    """Leave at any time (idempotent). Leaving during a proposal declines it; the partner keeps their place."""
    kind = "timed_out" if reason == "max_wait" else "left"
    result = queue.leave(event_id=event_id, user_id=user_id, kind=kind)
    if result[0] == "none":
        return "none"
    if result[0] == "confirming":
        raise DomainError("match_confirming", _("Your match is being confirmed."), http_status=409)
    now, join_ms = queue.now_ms(), queue.join_ms(result[-1])
    if result[0] == "left_proposal":
        if result[2]:
            events.proposal_cancelled(
                outcomes=[(int(result[2]), "partner_left", True)], proposal_id=int(result[1]), event_id=event_id
            )
        # Leaving during a proposal declines it.
        _record_declined(event_id=event_id, user_id=user_id, join_ms=join_ms)
    else:
        _record_after_commit(lambda: _record_wait(event_id=event_id, user_id=user_id, join_ms=join_ms, now_ms=now))
    waited_s = int((now - join_ms) / 1000) if join_ms is not None else None
    events.queue_left(user_id=user_id, event_id=event_id, reason=reason, waited_s=waited_s)
    return "left"


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
        events.proposal_cancelled(outcomes=told, proposal_id=proposal_id, event_id=event_id)
        _record_timed_out(event_id=event_id, result=result)
    elif outcome == "confirming":
        if Match.objects.filter(proposal_id=proposal_id).exists():
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


def _record_timed_out(*, event_id: int, result: list[str]) -> None:
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
            _record_wait(event_id=event_id, user_id=user_id, join_ms=join_ms, now_ms=now)

    _record_after_commit(record)


def queue_presence_lost(*, user_id: int) -> None:
    """A socket of the user closed: start the grace period; the sweep removes them if no socket returns."""
    queue.mark_gone(user_id=user_id, grace_s=settings.MATCHING_DISCONNECT_GRACE_S)


def queue_presence_back(*, user_id: int, pipe=None) -> None:
    queue.mark_back(user_id=user_id, pipe=pipe)


def queue_sweep(*, event_id: int) -> dict[str, int]:
    """One pass over an event's queue: reap leases, end graces and overlong waits, pair what scans missed.

    Safe with any number of concurrent sweeps: every change is an atomic script that re-checks state.
    """
    event = Event.objects.filter(pk=event_id).first()
    if event is None or not event.is_live:
        return {"closed": queue_close(event_id=event_id)}
    report = {"expired": 0, "disconnected": 0, "max_wait": 0, "paired": 0}
    for proposal_id in queue.expired_proposal_ids(event_id=event_id):
        if proposal_expire(event_id=event_id, proposal_id=proposal_id) not in ("alive", "gone"):
            report["expired"] += 1
    for user_id in queue.gone_expired(event_id=event_id):
        queue.clear_gone(event_id=event_id, user_id=user_id)
        if not presence.user_is_online(user_id=user_id):
            report["disconnected"] += queue_leave(user_id=user_id, event_id=event_id, reason="disconnected") == "left"
    oldest_allowed = queue.now_ms() - event.max_wait_s * 1000
    for user_id, _g, _s, score in queue.waiting(event_id=event_id):
        if score >= oldest_allowed:
            break
        report["max_wait"] += queue_leave(user_id=user_id, event_id=event_id, reason="max_wait") == "left"
    report["paired"] = proposals_announce(proposals=queue.sweep(event_id=event_id))
    if queue.acquire(f"mq:{event_id}:status-lock", ttl_ms=int(settings.MATCHING_STATUS_INTERVAL_S * 1000) - 200):
        events.queue_statuses(frames=selectors.queue_statuses(event_id=event_id))
    return report


def queue_depth_publish(*, event_ids: list[int]) -> dict[int, dict[str, int]]:
    """Set the `queue_depth` gauges (dims g:M / g:F) of these events and of `all` from the buckets.

    The sweep calls this every second with every event that has a queue: two round trips in
    all, and the gauges always come from the truth in Redis rather than from counted moves.
    """
    depths = queue.waiting_by_gender(event_ids=event_ids)
    totals = dict.fromkeys(queue.GENDERS, 0)
    for event_id, depth in depths.items():
        metrics.gauges_set({f"{Metric.QUEUE_DEPTH}|g:{gender}": n for gender, n in depth.items()}, event_id=event_id)
        for gender, n in depth.items():
            totals[gender] += n
    metrics.gauges_set({f"{Metric.QUEUE_DEPTH}|g:{gender}": n for gender, n in totals.items()})
    return depths


def queue_close(*, event_id: int) -> int:
    """The event is over: everyone still queued is told and removed."""
    closed = 0
    for user_id in queue.ticket_user_ids(event_id=event_id):
        try:
            closed += queue_leave(user_id=user_id, event_id=event_id, reason="event_ended") == "left"
        except DomainError:
            continue  # a match being confirmed finishes on its own lease
    if not queue.ticket_user_ids(event_id=event_id):
        queue.forget_event(event_id=event_id)
        # The sweep publishes depths only for events with a queue: zero this one's for good.
        queue_depth_publish(event_ids=[event_id])
    return closed


def ticket_history_flush() -> int:
    """Copy history entries from Redis into PostgreSQL in bulk; idempotent thanks to the unique `seq`."""
    if not queue.acquire("mq:history:lock", ttl_ms=30_000):
        return 0
    try:
        raw = queue.history_batch(limit=HISTORY_FLUSH_BATCH)
        rows = []
        for entry in raw:
            seq, event_id, user_id, kind, at_ms, proposal_id, detail = entry.split("|")
            rows.append(
                TicketEvent(
                    seq=int(seq),
                    event_id=int(event_id),
                    user_id=int(user_id),
                    kind=kind,
                    detail=detail,
                    proposal_id=int(proposal_id) if proposal_id else None,
                    at=datetime.fromtimestamp(float(at_ms) / 1000, tz=UTC),
                )
            )
        # Entries of users or events deleted since would fail the whole batch on their foreign keys.
        live_users = set(User.objects.filter(pk__in={row.user_id for row in rows}).values_list("pk", flat=True))
        live_events = set(Event.objects.filter(pk__in={row.event_id for row in rows}).values_list("pk", flat=True))
        rows = [row for row in rows if row.user_id in live_users and row.event_id in live_events]
        TicketEvent.objects.bulk_create(rows, ignore_conflicts=True)
        queue.history_trim(count=len(raw))
        return len(raw)
    finally:
        queue.release("mq:history:lock")


def queues_reconcile() -> int:
    """Reconcile every event's queue; publish the repairs as matching's share of `reconcile_mismatches`.

    Returns how many differences were repaired (0 when Redis and PostgreSQL agreed).
    """
    repaired = 0
    for event_id in queue.event_ids_with_queue():
        report = queue_reconcile(event_id=event_id)
        repaired += report["requeued_orphans"] + report["rebucketed"] + report["finished_confirmed"]
    metrics.gauge_part_set(Metric.RECONCILE_MISMATCHES, "matching", repaired)
    return repaired


def queue_reconcile(*, event_id: int) -> dict[str, int]:
    """Compare the Redis queue with PostgreSQL, repair what disagrees and report what was found.

    - a ticket whose proposal vanished or closed goes back to its place;
    - a waiting ticket missing from its bucket is put back;
    - a proposal confirmed in PostgreSQL but still open in Redis is finished;
    - a user with an active match in PostgreSQL who is also still proposed for it is finished.
    """
    report = {"tickets": 0, "requeued_orphans": 0, "rebucketed": 0, "finished_confirmed": 0, "stranded_pairs": 0}
    for user_id in queue.ticket_user_ids(event_id=event_id):
        report["tickets"] += 1
        action = queue.repair(event_id=event_id, user_id=user_id)
        if action == "requeued":
            report["requeued_orphans"] += 1
        elif action == "rebucketed":
            report["rebucketed"] += 1
        elif action.startswith("confirming:"):
            proposal_id = int(action.split(":", 1)[1])
            if Match.objects.filter(proposal_id=proposal_id).exists():
                finished = queue.finish(proposal_id=proposal_id, matched=True)
                if finished:
                    report["finished_confirmed"] += 1
                    _record_matched(event_id=event_id, finished=finished)
    event = Event.objects.filter(pk=event_id).first()
    if event is not None:
        report["stranded_pairs"] = len(
            selectors.stranded_pairs(event_id=event_id, allow_same_university=event.allow_same_university)
        )
    get_redis().set(f"mq:{event_id}:reconcile", json.dumps({"at": timezone.now().isoformat(), **report}), ex=86400)
    repaired = report["requeued_orphans"] + report["rebucketed"] + report["finished_confirmed"]
    if repaired:
        logger.warning("matching reconcile repaired event %s: %s", event_id, report)
    return report
