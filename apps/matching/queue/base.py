"""What every queue module shares: the script registry, the clock, key names, the lost-state error."""

import time

import redis

from apps.core.redis import get_redis
from apps.matching.queue.lua_prelude import PRELUDE

EVENTS_KEY = "mq:events"
HISTORY_KEY = "mq:history"
# The layout of the queue's keys (tickets.py, proposals.py). Its epoch marker names it, so a
# release only acts on state written in its own layout: 4 = join scores in whole microseconds
# (join_score), proposals without their zero answer fields; 3 = a ticket's interests as a bit
# mask (tickets.interest_mask); 2 = ticket hashes written once at join, proposal membership in
# mq:E:tp, no mq:ut:U sets; 1 was the marker `mq:epoch`.
QUEUE_LAYOUT = 4
EPOCH_KEY = f"mq:epoch:{QUEUE_LAYOUT}"
PROPOSAL_COUNTER_KEY = "mq:pseq"
HISTORY_COUNTER_KEY = "mq:hseq"
# A join time is kept (bucket score, ticket field `js`) in whole microseconds: Redis stores a
# small bucket as a listpack, where a whole-number score is an integer entry that inserting,
# removing and ranking compare as such, while a fractional one is text parsed again (strtod)
# for every member walked; Lua turns the scores it reads into numbers cheaply too. The same
# microseconds as `now_ms`'s three decimals, so no order between joins changes.
JOIN_SCORE_PER_MS = 1000
GENDERS = ("M", "F")
SEEKINGS = ("M", "F", "FM")


class QueueStateLost(Exception):
    """Redis has no epoch marker of this layout: it lost the queue's state (or holds it in another
    release's layout), which the engine must restore first."""


_scripts: dict[str, object] = {}


def script(name: str, body: str, *, prelude: bool = True):
    if name not in _scripts:
        constants = f"local EPOCH_KEY, JS_PER_MS = '{EPOCH_KEY}', {JOIN_SCORE_PER_MS}\n"
        source = f"{constants}{PRELUDE}{body}" if prelude else body
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


def join_score(at_ms: float) -> int:
    """The join score of a join at `at_ms` (ms since the Unix epoch)."""
    return round(at_ms * JOIN_SCORE_PER_MS)


def join_ms(raw: str | float | None) -> float | None:
    """The join time (ms) of a join score read from Redis (None or '' when the ticket was gone)."""
    return float(raw) / JOIN_SCORE_PER_MS if raw not in (None, "") else None


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
