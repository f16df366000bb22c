"""Tickets in Redis: a join, leaving, who waits where, disconnect graces, per-event rules.

Layout (E = event id, U = user id):
  mq:E:w:<gender>:<seeking>  ZSET of waiting users scored by their original join time (whole
                             microseconds: base.join_score);
                             one bucket per (gender, seeking) so a scan never wastes its budget
                             on people of the wrong gender.
  mq:E:t:U                   HASH ticket, written once at join: g, s, u (university), i
                             (interest bit mask, `interest_mask`), js (join score), card (public
                             card JSON), x ('1' when mq:E:x:U may hold someone: pairing skips the
                             set otherwise)
  mq:E:tp                    HASH user → proposal id of every user in a proposal; a ticket without
                             an entry waits (in its bucket). Pairing writes one field pair here
                             instead of rewriting both tickets.
  mq:E:x:U                   SET of users U must never be proposed (blocks, past partners, declines)
  mq:E:cfg                   HASH event rules the scripts need (same_uni, accept_ms, max_wait_ms)
  mq:E:users                 SET of users holding a ticket
  mq:E:gone                  ZSET user → end of their disconnect grace (ms)
  mq:events                  SET of events with a queue
  mq:gu:U                    SET of events where U's disconnect grace may run (mark_gone → mark_back)

A user is in exactly one place: a bucket (waiting) or one proposal (proposed) — the scripts
move tickets between the two and nothing else writes these keys.
"""

from dataclasses import asdict, dataclass

from django.conf import settings

from apps.core.redis import get_redis, run_script
from apps.matching.queue.base import (
    EVENTS_KEY,
    GENDERS,
    JOIN_SCORE_PER_MS,
    SEEKINGS,
    bucket_key,
    join_score,
    now_ms,
    proposed_key,
    run,
    script,
    ticket_key,
)
from apps.matching.queue.lua_answers import LEAVE
from apps.matching.queue.lua_moves import ENQUEUE, RESTORE, TAKE_ARRIVALS


@dataclass(frozen=True)
class TicketSnapshot:
    """Everything the scripts need about one user in one event, read once at join."""

    event_id: int
    user_id: int
    gender: str
    seeking: str
    university_id: int
    interest_ids: tuple[int, ...]
    card_json: str
    excluded_user_ids: frozenset[int]
    allow_same_university: bool
    accept_timeout_s: int
    max_wait_s: int

    def to_json(self) -> dict:
        """What PostgreSQL keeps of a waiting ticket, so a lost Redis can be refilled without re-reading profiles."""
        data = asdict(self)
        data["interest_ids"] = sorted(self.interest_ids)
        data["excluded_user_ids"] = sorted(self.excluded_user_ids)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "TicketSnapshot":
        return cls(
            **{
                **data,
                "interest_ids": tuple(data["interest_ids"]),
                "excluded_user_ids": frozenset(data["excluded_user_ids"]),
            }
        )


INTEREST_WORD_BITS = 31  # the Lua `bit` library works on 32-bit signed words: 31 bits stay positive
INTEREST_WORD = (1 << INTEREST_WORD_BITS) - 1


def interest_mask(interest_ids) -> str:
    """Interests as the pairing scripts compare them: a bit mask in 31-bit words, ':'-separated
    (interest n at bit n % 31 of word n // 31), so shared interests are an AND and a bit count."""
    # Bit n of one integer, cut into 31-bit words: interest n lands at bit n % 31 of word n // 31.
    mask = 0
    for interest_id in interest_ids:
        mask |= 1 << interest_id
    words = [str(mask & INTEREST_WORD)]
    while mask := mask >> INTEREST_WORD_BITS:
        words.append(str(mask & INTEREST_WORD))
    return ":".join(words)


def _restore_args(snapshot: TicketSnapshot, *, join_ms: float, at_ms: float) -> list:
    """ARGV of RESTORE: the ticket, its event's rules, the time, then the exclusions."""
    return [
        snapshot.event_id,
        snapshot.user_id,
        join_score(join_ms),
        snapshot.gender,
        snapshot.seeking,
        snapshot.university_id,
        interest_mask(snapshot.interest_ids),
        snapshot.card_json,
        "1" if snapshot.allow_same_university else "0",
        snapshot.accept_timeout_s * 1000,
        snapshot.max_wait_s * 1000,
        at_ms,
        *sorted(snapshot.excluded_user_ids),
    ]


def enqueue(snapshot: TicketSnapshot, *, at_ms: float | None = None) -> tuple[str, str]:
    """Create the ticket and put it in its bucket and the arrivals list.

    Returns ('queued', 'drain') when the caller must schedule a drain, ('queued', 'waiting') when
    one is already scheduled, ('exists', state) when the user already holds a ticket.
    Raises QueueStateLost when Redis lost the queue's state (nothing changed).
    """
    at_ms = at_ms if at_ms is not None else now_ms()
    drain, (state,) = enqueue_many([(snapshot, at_ms)], at_ms=at_ms)
    return ("exists", state) if state else ("queued", drain)


def enqueue_many(tickets: list[tuple[TicketSnapshot, float]], *, at_ms: float | None = None) -> tuple[str, list[str]]:
    """Join (snapshot, join ms) tickets of one event in one atomic call (the join pipeline).

    Returns the drain request ('drain': the caller must schedule a drain task, 'waiting': one is
    asked for, '': nothing was queued) and, per ticket, '' when queued or the state of the ticket
    the user already holds. The event's rules are taken from the first snapshot.
    Raises QueueStateLost when Redis lost the queue's state (nothing changed).
    """
    if not tickets:
        return "", []
    first = tickets[0][0]
    if any(snapshot.event_id != first.event_id for snapshot, _ in tickets):
        raise ValueError("enqueue_many takes the tickets of one event")
    args: list = [
        first.event_id,
        at_ms if at_ms is not None else now_ms(),
        settings.MATCHING_DRAIN_HEDGE_MS,
        "1" if first.allow_same_university else "0",
        first.accept_timeout_s * 1000,
        first.max_wait_s * 1000,
    ]
    for snapshot, join_ms in tickets:
        args += [
            snapshot.user_id,
            join_score(join_ms),
            snapshot.gender,
            snapshot.seeking,
            snapshot.university_id,
            interest_mask(snapshot.interest_ids),
            snapshot.card_json,
            len(snapshot.excluded_user_ids),
            *sorted(snapshot.excluded_user_ids),
        ]
    drain, *outcomes = run("enqueue", ENQUEUE, args=args)
    return drain, outcomes


def restore_many(tickets: list[tuple[TicketSnapshot, float]]) -> int:
    """Put back (snapshot, original join ms) tickets in one pipelined round trip; returns how many were missing."""
    if not tickets:
        return 0
    restore = script("restore", RESTORE)
    pipe = get_redis().pipeline(transaction=False)
    now = now_ms()
    for snapshot, join_ms in tickets:
        restore(args=_restore_args(snapshot, join_ms=join_ms, at_ms=now), client=pipe)
    return sum(int(result) for result in pipe.execute())


def arrivals_take(*, event_id: int, count: int, release: bool = True, at_ms: float | None = None) -> list[int]:
    """Take up to `count` arrivals for the running drain, which keeps the drain flag meanwhile.

    When none is left and `release` is set, the same atomic step deletes the flag: the next
    arrival asks for a new drain. Without `release` (a drain that lingers for more) the flag stays.
    """
    keys = [f"mq:{event_id}:arrivals", f"mq:{event_id}:drain"]
    args = [count, at_ms if at_ms is not None else now_ms(), "1" if release else "0"]
    taken = run_script(script("take_arrivals", TAKE_ARRIVALS, prelude=False), keys=keys, args=args)
    return [int(user_id) for user_id in taken]


def leave(*, event_id: int, user_id: int, kind: str = "left") -> list[str]:
    return run("leave", LEAVE, args=[event_id, user_id, now_ms(), kind])


def event_ids_with_queue() -> list[int]:
    return sorted(int(event_id) for event_id in get_redis().smembers(EVENTS_KEY))


def ticket_get(*, event_id: int, user_id: int) -> dict[str, str]:
    """The user's ticket fields with its state: st (waiting|proposed) and p (proposal id or ''); {} without one."""
    pipe = get_redis().pipeline(transaction=False)
    pipe.hgetall(ticket_key(event_id, user_id))
    pipe.hget(proposed_key(event_id), str(user_id))
    ticket, proposal_id = pipe.execute()
    if not ticket:
        return {}
    return {**ticket, "st": "proposed" if proposal_id else "waiting", "p": proposal_id or ""}


def ticket_event_ids(*, user_id: int) -> list[int]:
    """The events where the user holds a ticket (one round trip over the events with a queue)."""
    event_ids = event_ids_with_queue()
    pipe = get_redis().pipeline(transaction=False)
    for event_id in event_ids:
        pipe.exists(ticket_key(event_id, user_id))
    return [event_id for event_id, held in zip(event_ids, pipe.execute(), strict=True) if held]


def waiting(*, event_id: int) -> list[tuple[int, str, str, float]]:
    """Every waiting user as (user id, gender, seeking, join time in ms), oldest first."""
    pipe = get_redis().pipeline(transaction=False)
    combos = [(g, s) for g in GENDERS for s in SEEKINGS]
    for gender, seeking in combos:
        pipe.zrange(bucket_key(event_id, gender, seeking), 0, -1, withscores=True)
    rows = [
        (int(user_id), gender, seeking, score / JOIN_SCORE_PER_MS)
        for (gender, seeking), members in zip(combos, pipe.execute(), strict=True)
        for user_id, score in members
    ]
    return sorted(rows, key=lambda row: row[3])


def bucket_sizes(*, event_id: int) -> dict[tuple[str, str], int]:
    pipe = get_redis().pipeline(transaction=False)
    combos = [(g, s) for g in GENDERS for s in SEEKINGS]
    for gender, seeking in combos:
        pipe.zcard(bucket_key(event_id, gender, seeking))
    return dict(zip(combos, pipe.execute(), strict=True))


def waiting_by_gender(*, event_ids: list[int]) -> dict[int, dict[str, int]]:
    """Waiting users per gender of each event, from the buckets themselves (one round trip, 6 ZCARDs each)."""
    if not event_ids:
        return {}
    combos = [(g, s) for g in GENDERS for s in SEEKINGS]
    pipe = get_redis().pipeline(transaction=False)
    for event_id in event_ids:
        for gender, seeking in combos:
            pipe.zcard(bucket_key(event_id, gender, seeking))
    sizes = iter(pipe.execute())
    depths: dict[int, dict[str, int]] = {}
    for event_id in event_ids:
        depth = dict.fromkeys(GENDERS, 0)
        for gender, _seeking in combos:
            depth[gender] += next(sizes)
        depths[event_id] = depth
    return depths


def mark_gone(*, user_id: int, grace_s: int) -> None:
    """Start the disconnect grace for every queue the user waits in (and note where, for mark_back)."""
    event_ids = ticket_event_ids(user_id=user_id)
    if not event_ids:
        return
    until = now_ms() + grace_s * 1000
    pipe = get_redis().pipeline(transaction=False)
    for event_id in event_ids:
        pipe.zadd(f"mq:{event_id}:gone", {str(user_id): until})
    pipe.sadd(f"mq:gu:{user_id}", *event_ids)
    # Outlives the grace; a stale entry only costs mark_back one ZREM of nothing.
    pipe.expire(f"mq:gu:{user_id}", grace_s + GRACE_NOTE_SLACK_S)
    pipe.execute()


GRACE_NOTE_SLACK_S = 3600

_MARK_BACK = """
for _, event_id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  redis.call('ZREM', 'mq:' .. event_id .. ':gone', ARGV[1])
end
redis.call('DEL', KEYS[1])
"""


def mark_back(*, user_id: int, pipe=None) -> None:
    """The user has a socket again: no event's grace period runs for them any more.

    One script, so a socket connect can queue it on its shared pipeline (`pipe`).
    """
    # Without the prelude: queued as EVAL, the source travels on every connect.
    run_script(script("mark_back", _MARK_BACK, prelude=False), keys=[f"mq:gu:{user_id}"], args=[str(user_id)], client=pipe)


def gone_expired(*, event_id: int) -> list[int]:
    return [int(u) for u in get_redis().zrangebyscore(f"mq:{event_id}:gone", "-inf", now_ms())]


def clear_gone(*, event_id: int, user_id: int) -> None:
    get_redis().zrem(f"mq:{event_id}:gone", str(user_id))


def excluded_ids(*, event_id: int, user_id: int) -> set[int]:
    return {int(u) for u in get_redis().smembers(f"mq:{event_id}:x:{user_id}")}


def ticket_user_ids(*, event_id: int) -> set[int]:
    return {int(u) for u in get_redis().smembers(f"mq:{event_id}:users")}


def event_config(*, event_id: int) -> dict[str, int]:
    raw = get_redis().hgetall(f"mq:{event_id}:cfg")
    return {
        "accept_s": int(float(raw.get("accept_ms", 20_000)) / 1000),
        "max_wait_s": int(float(raw.get("max_wait_ms", 300_000)) / 1000),
        "same_uni": raw.get("same_uni", "1") == "1",
    }


def forget_event(*, event_id: int) -> None:
    get_redis().srem(EVENTS_KEY, event_id)
