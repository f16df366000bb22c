"""What every queue module shares: the script registry, the clock, key names, the lost-state error."""

import time

import redis

from apps.core.redis import get_redis
from apps.matching.queue.lua_prelude import PRELUDE

EVENTS_KEY = "mq:events"
HISTORY_KEY = "mq:history"
# The layout of the queue's keys (tickets.py, proposals.py). Its epoch marker names it, so a
# release only acts on state written in its own layout: 3 = a ticket's interests as a bit mask
# (tickets.interest_mask); 2 = ticket hashes written once at join, proposal membership in
# mq:E:tp, no mq:ut:U sets; 1 was the marker `mq:epoch`.
QUEUE_LAYOUT = 3
EPOCH_KEY = f"mq:epoch:{QUEUE_LAYOUT}"
PROPOSAL_COUNTER_KEY = "mq:pseq"
HISTORY_COUNTER_KEY = "mq:hseq"
GENDERS = ("M", "F")
SEEKINGS = ("M", "F", "FM")


class QueueStateLost(Exception):
    """Redis has no epoch marker of this layout: it lost the queue's state (or holds it in another
    release's layout), which the engine must restore first."""


_scripts: dict[str, object] = {}


def script(name: str, body: str, *, prelude: bool = True):
    if name not in _scripts:
        source = f"local EPOCH_KEY = '{EPOCH_KEY}'\n{PRELUDE}{body}" if prelude else body
        _scripts[name] = get_redis().register_script(source)
    return _scripts[name]


def run(name: str, body: str, *, args: list, client=None):
    """Run a prelude script; its NOEPOCH failure becomes QueueStateLost."""
    try:
        return script(name, body)(args=args, client=client)
    except redis.exceptions.ResponseError as error:
        if str(error).startswith("NOEPOCH"):
            raise QueueStateLost(str(error)) from error
        raise


def now_ms() -> float:
    # Microsecond precision keeps join scores of a 500-per-second crowd distinct.
    return round(time.time() * 1000, 3)


def event_prefix(event_id: int) -> str:
    return f"mq:{event_id}:"


def bucket_key(event_id: int, gender: str, seeking: str) -> str:
    return f"mq:{event_id}:w:{gender}:{seeking}"


def ticket_key(event_id: int, user_id: int) -> str:
    return f"mq:{event_id}:t:{user_id}"


def proposed_key(event_id: int) -> str:
    """HASH user → proposal id of the event's users in a proposal."""
    return f"mq:{event_id}:tp"


def proposal_key(proposal_id: int) -> str:
    return f"mq:p:{proposal_id}"


def acquire(key: str, *, ttl_ms: int) -> bool:
    """A best-effort lock that only saves duplicate work; correctness never depends on it."""
    return bool(get_redis().set(key, "1", nx=True, px=max(ttl_ms, 1)))


def release(key: str) -> None:
    get_redis().delete(key)
