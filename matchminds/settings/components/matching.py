"""The matching engine (apps/matching)."""

from .environment import env
from .workers import CELERY_BEAT_SCHEDULE

# Matching engine (apps/matching). Scans are bounded so each atomic Redis call stays
# sub-millisecond; the sweep scans deeper to pick up pairs a bounded scan missed.
MATCHING_SCAN_DEPTH = env.int("MATCHING_SCAN_DEPTH", default=50)
MATCHING_SWEEP_SCAN_DEPTH = env.int("MATCHING_SWEEP_SCAN_DEPTH", default=500)
MATCHING_SWEEP_BATCH = 100
# A drain task not started this long after it was asked for gets a second one alongside.
MATCHING_DRAIN_HEDGE_MS = env.int("MATCHING_DRAIN_HEDGE_MS", default=50)
# A drain that finds nobody left waits this long for more arrivals before it lets the next
# join ask for a new task (one task then serves joins that come a few ms apart), but only while
# it has run less than the budget, so a steady stream still ends each task.
MATCHING_DRAIN_LINGER_MS = env.int("MATCHING_DRAIN_LINGER_MS", default=20)
MATCHING_DRAIN_LINGER_BUDGET_MS = env.int("MATCHING_DRAIN_LINGER_BUDGET_MS", default=1000)
MATCHING_SWEEP_INTERVAL_S = env.float("MATCHING_SWEEP_INTERVAL_S", default=1.0)
# Candidates who joined within this many ms of the longest-waiting one count as equally
# fair; among them the larger interest overlap wins.
MATCHING_FAIRNESS_WINDOW_MS = env.int("MATCHING_FAIRNESS_WINDOW_MS", default=2000)
# How many of the oldest compatible candidates (per bucket, then overall) that tie-break weighs:
# it bounds a pairing's work in a dense queue, where thousands joined within the window.
MATCHING_TIE_BREAK_CANDIDATES = env.int("MATCHING_TIE_BREAK_CANDIDATES", default=8)
# A fresh proposal must be announced within this lease or both users go back to the queue
# (a worker killed between pairing and sending loses nobody).
MATCHING_NOTIFY_LEASE_S = 5
# Both accepted: the match must be persisted within this lease, else both are requeued.
MATCHING_CONFIRM_LEASE_S = 15
MATCHING_ACCEPT_GRACE_S = 1
MATCHING_DISCONNECT_GRACE_S = env.int("MATCHING_DISCONNECT_GRACE_S", default=30)
MATCHING_STATUS_INTERVAL_S = 3
MATCHING_RATE_WINDOW_S = 60
MATCHING_JOIN_RATE_LIMIT = env.int("MATCHING_JOIN_RATE_LIMIT", default=10)
MATCHING_JOIN_RATE_WINDOW_S = 60
MATCHING_PACING_POLICY = env("MATCHING_PACING_POLICY", default="apps.matching.pacing.RatioAwarePacing")
MATCHING_IMBALANCE_RATIO = env.float("MATCHING_IMBALANCE_RATIO", default=1.5)
MATCHING_RECONCILE_INTERVAL_S = env.int("MATCHING_RECONCILE_INTERVAL_S", default=60)
# Losing Redis (docs/matching.md): a join waits this long for a restore in progress; a restorer
# that died frees its lock after MATCHING_RESTORE_LOCK_S; matches made this long before a loss
# are confirmed again; a PostgreSQL ticket copy without its Redis ticket this old is stale.
MATCHING_RESTORE_WAIT_S = 5
MATCHING_RESTORE_LOCK_S = 60
MATCHING_RESTORE_RECONFIRM_S = 30
MATCHING_STALE_COPY_S = 60
CELERY_BEAT_SCHEDULE["matching-sweep"] = {
    "task": "apps.matching.tasks.sweep_live_queues",
    "schedule": MATCHING_SWEEP_INTERVAL_S,
    "options": {"expires": MATCHING_SWEEP_INTERVAL_S * 2},
}
CELERY_BEAT_SCHEDULE["matching-history-flush"] = {
    "task": "apps.matching.tasks.flush_ticket_history",
    "schedule": 2.0,
    "options": {"expires": 10},
}
CELERY_BEAT_SCHEDULE["matching-reconcile"] = {
    "task": "apps.matching.tasks.reconcile_queues",
    "schedule": MATCHING_RECONCILE_INTERVAL_S,
}
