"""Pairing: a worker drains the arrivals and announces the proposals the scripts made."""

import json
import time

from django.conf import settings

from apps.matching import events, queue, selectors
from apps.matching.services.recording import record_after_commit
from apps.matching.services.restore import queue_state_ensure
from apps.telemetry import metrics
from apps.telemetry.metrics import Metric


def arrivals_drain(*, event_id: int, batch: int = 50) -> int:
    """Pair every user who arrived since the last drain (bounded scan each); returns proposals made.

    One task serves a burst of arrivals, so a 500-per-second crowd costs a few tasks a second,
    not 500: the drain keeps the drain flag while it runs, so joins meanwhile ask for no task.
    With nobody left it lingers MATCHING_DRAIN_LINGER_MS for more (while it has run less than
    MATCHING_DRAIN_LINGER_BUDGET_MS), then deletes the flag in the same atomic step as its last,
    empty take. Arrivals a lost drain never saw are waiting in their buckets for the next sweep.
    Arrivals of a Redis that lost its state are gone with it: the restore puts them back.
    """
    made = 0
    linger_s = settings.MATCHING_DRAIN_LINGER_MS / 1000
    lingers_until = time.monotonic() + settings.MATCHING_DRAIN_LINGER_BUDGET_MS / 1000
    lingered = False
    try:
        while True:
            release = lingered or not linger_s or time.monotonic() >= lingers_until
            taken, _left, proposals = queue.pair_arrivals(event_id=event_id, count=batch, release=release)
            if taken:
                made += proposals_announce(proposals=proposals)
                lingered = False
            elif release:
                return made
            else:
                time.sleep(linger_s)
                lingered = True
    except queue.QueueStateLost:
        queue_state_ensure()
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
    record_after_commit(
        lambda: metrics.metric_incr_many(
            Metric.PROPOSALS, occurrences=[(proposal.event_id, proposal.user_ids[0]) for proposal in announce]
        )
    )
    return len(announce)
