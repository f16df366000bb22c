"""The queue state's lifetime in Redis: its epoch marker, the id counters, wiping, the history list.

mq:epoch:L  the epoch (apps.matching.models.QueueEpoch id) whose state Redis holds in key layout
            L (base.QUEUE_LAYOUT); absent after a restart without persistence, a FLUSHALL, a
            failover to an empty replica, or when another release's layout wrote the state
mq:pseq     proposal id counter;  mq:hseq  history sequence counter: both start at
            epoch x 2**32 and only ever grow (INCR, or INCRBY for a block of proposal ids),
            so an id of an earlier epoch can never be issued again
mq:history  LIST of "seq|E|U|kind|ms|P|detail" drained to PostgreSQL in bulk
"""

from typing import NamedTuple

from apps.core.redis import get_redis
from apps.matching.queue.base import EPOCH_KEY, HISTORY_COUNTER_KEY, HISTORY_KEY, PROPOSAL_COUNTER_KEY

EPOCH_ID_SPAN = 2**32
WIPE_CHUNK = 1000


class StateMarker(NamedTuple):
    epoch: int | None
    proposal_counter: int
    history_counter: int


def counter_base(epoch: int) -> int:
    """The first id of an epoch: above every id any earlier epoch could issue (2**32 of each per epoch)."""
    return epoch * EPOCH_ID_SPAN


def state_read() -> StateMarker:
    epoch, pseq, hseq = get_redis().mget(EPOCH_KEY, PROPOSAL_COUNTER_KEY, HISTORY_COUNTER_KEY)
    return StateMarker(int(epoch) if epoch else None, int(pseq or 0), int(hseq or 0))


def state_install(*, epoch: int) -> None:
    """Start an epoch: both counters at its base, then the marker that lets the scripts run again."""
    base = counter_base(epoch)
    pipe = get_redis().pipeline(transaction=True)
    pipe.set(PROPOSAL_COUNTER_KEY, base)
    pipe.set(HISTORY_COUNTER_KEY, base)
    pipe.set(EPOCH_KEY, epoch)
    pipe.execute()


def state_condemn() -> None:
    """Redis was caught issuing an id twice: drop the marker, so the next check restores the queue."""
    get_redis().delete(EPOCH_KEY)


def state_wipe() -> int:
    """Remove every queue key (the marker first, so no script changes anything meanwhile); returns how many."""
    client = get_redis()
    client.delete(EPOCH_KEY)
    removed = 0
    batch: list[str] = []
    for key in client.scan_iter("mq:*", count=WIPE_CHUNK):
        batch.append(key)
        if len(batch) >= WIPE_CHUNK:
            removed += client.unlink(*batch)
            batch = []
    if batch:
        removed += client.unlink(*batch)
    return removed


def history_batch(*, limit: int) -> list[str]:
    return get_redis().lrange(HISTORY_KEY, 0, limit - 1)


def history_trim(*, count: int) -> None:
    get_redis().ltrim(HISTORY_KEY, count, -1)
