"""Matching writes, by capability: joining, pairing, answers, sweeping, upkeep, restore.

Redis holds the live queue (apps/matching/queue/; every move is one atomic script);
PostgreSQL holds matches, the ticket history and a copy of every waiting ticket (QueueTicket).
Frames leave through apps/matching/events.py.
"""

from apps.matching.services.answers import match_persist, proposal_expire, proposal_respond
from apps.matching.services.joining import (
    match_end_active,
    queue_join,
    queue_leave,
    queue_presence_back,
    queue_presence_lost,
    ticket_enqueue,
)
from apps.matching.services.notices import match_emails_send
from apps.matching.services.pairing import arrivals_drain, proposals_announce
from apps.matching.services.restore import (
    match_confirmation_replay,
    matches_reconfirm,
    queue_state_ensure,
    queue_state_problem,
    queue_state_restore,
)
from apps.matching.services.sweeping import queue_close, queue_depth_publish, queue_sweep
from apps.matching.services.upkeep import HISTORY_FLUSH_BATCH, queue_reconcile, queues_reconcile, ticket_history_flush

__all__ = [
    "HISTORY_FLUSH_BATCH",
    "arrivals_drain",
    "match_confirmation_replay",
    "match_emails_send",
    "match_end_active",
    "match_persist",
    "matches_reconfirm",
    "proposal_expire",
    "proposal_respond",
    "proposals_announce",
    "queue_close",
    "queue_depth_publish",
    "queue_join",
    "queue_leave",
    "queue_presence_back",
    "queue_presence_lost",
    "queue_reconcile",
    "queue_state_ensure",
    "queue_state_problem",
    "queue_state_restore",
    "queue_sweep",
    "queues_reconcile",
    "ticket_enqueue",
    "ticket_history_flush",
]
