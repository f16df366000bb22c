"""Proposals in Redis: pairing, answers, lease clocks, confirm hold and finish, repair.

Layout (E = event id, P = proposal id):
  mq:p:P        HASH proposal: e, a, b, st (pending|confirming|closed), at, then as they happen ra, rb
                ('1': a, b said yes), n ('1': notified), dl (accept deadline)
  mq:E:leases   ZSET proposal → lease expiry (ms); the sweep reaps expired ones
  mq:E:rate     ZSET proposal → time it was made (ETA from the recent match rate)
  mq:pseq       the proposal id counter (see apps/matching/queue/state.py: it never goes back)
"""

from typing import NamedTuple

from django.conf import settings

from apps.core.redis import get_redis
from apps.matching.queue.base import join_ms, now_ms, proposal_key, run, script, ticket_key
from apps.matching.queue.lua_answers import CANCEL, EXPIRE, FINISH, HOLD, NOTIFIED, REPAIR, RESPOND
from apps.matching.queue.lua_moves import PAIR_ARRIVALS, PAIR_MANY, SWEEP


class NewProposal(NamedTuple):
    """A proposal just claimed, with what announcing it needs (a tuple: a drain builds one per pairing)."""

    proposal_id: int
    event_id: int
    user_ids: tuple[int, int]
    cards: tuple[str | None, str | None]
    accept_timeout_s: int


def _new_proposals(event_id: int, accept_ms: str, flat: list) -> list[NewProposal]:
    accept_timeout_s = int(float(accept_ms) / 1000)
    return [
        NewProposal(int(flat[k]), event_id, (int(flat[k + 1]), int(flat[k + 2])), (flat[k + 3], flat[k + 4]), accept_timeout_s)
        for k in range(0, len(flat), 5)
    ]


def _pairing_args(event_id: int, at_ms: float | None) -> list:
    return [
        event_id,
        at_ms if at_ms is not None else now_ms(),
        settings.MATCHING_SCAN_DEPTH,
        settings.MATCHING_FAIRNESS_WINDOW_MS,
        settings.MATCHING_NOTIFY_LEASE_S * 1000,
        settings.MATCHING_TIE_BREAK_CANDIDATES,
    ]


def pair_many(*, event_id: int, user_ids: list[int]) -> list[NewProposal]:
    """Pair each of the arrivals (bounded scan) in one atomic call; returns the new proposals."""
    if not user_ids:
        return []
    result = run("pair_many", PAIR_MANY, args=[*_pairing_args(event_id, None), *user_ids])
    return _new_proposals(event_id, result[0], result[1:])


def pair_arrivals(
    *, event_id: int, count: int, release: bool = True, at_ms: float | None = None
) -> tuple[int, int, list[NewProposal]]:
    """The drain's step: take up to `count` arrivals (as `arrivals_take`, drain flag included) and
    pair them (as `pair_many`) in one atomic call; returns (arrivals taken, arrivals left, new proposals)."""
    result = run("pair_arrivals", PAIR_ARRIVALS, args=[*_pairing_args(event_id, at_ms), count, "1" if release else "0"])
    taken, left = int(result[0]), int(result[1])
    return taken, left, (_new_proposals(event_id, result[2], result[3:]) if taken else [])


def sweep(*, event_id: int) -> list[NewProposal]:
    """Try every waiting user with the deep scan, oldest first; returns the new proposals."""
    proposals: list[NewProposal] = []
    cursor = "-inf"
    while True:
        result = run(
            "sweep",
            SWEEP,
            args=[
                event_id,
                now_ms(),
                cursor,
                settings.MATCHING_SWEEP_BATCH,
                settings.MATCHING_SWEEP_SCAN_DEPTH,
                settings.MATCHING_FAIRNESS_WINDOW_MS,
                settings.MATCHING_NOTIFY_LEASE_S * 1000,
                settings.MATCHING_TIE_BREAK_CANDIDATES,
            ],
        )
        proposals.extend(_new_proposals(event_id, result[2], result[3:]))
        if int(result[1]) == 1:
            return proposals
        cursor = result[0]


def proposal_get(proposal_id: int) -> dict[str, str]:
    return get_redis().hgetall(proposal_key(proposal_id))


def proposals_get(proposal_ids: list[int]) -> list[dict[str, str]]:
    pipe = get_redis().pipeline(transaction=False)
    for proposal_id in proposal_ids:
        pipe.hgetall(proposal_key(proposal_id))
    return pipe.execute()


def cards_get(pairs: list[tuple[int, int, int]]) -> dict[tuple[int, int], str | None]:
    """Public card JSON of every (event, user) in `pairs` of (event, a, b), in one round trip."""
    keys = [(event_id, user_id) for event_id, a, b in pairs for user_id in (a, b)]
    pipe = get_redis().pipeline(transaction=False)
    for event_id, user_id in keys:
        pipe.hget(ticket_key(event_id, user_id), "card")
    return dict(zip(keys, pipe.execute(), strict=True))


def mark_notified(*, proposal_ids: list[int], accept_deadlines_ms: list[float]) -> list[bool]:
    notified = script("notified", NOTIFIED)
    pipe = get_redis().pipeline(transaction=False)
    now = now_ms()
    for proposal_id, deadline in zip(proposal_ids, accept_deadlines_ms, strict=True):
        notified(args=[proposal_id, now, deadline, settings.MATCHING_ACCEPT_GRACE_S * 1000], client=pipe)
    return [bool(result) for result in pipe.execute()]


def respond(*, proposal_id: int, user_id: int, accept: bool) -> list[str]:
    return run(
        "respond",
        RESPOND,
        args=[proposal_id, user_id, "1" if accept else "0", now_ms(), settings.MATCHING_CONFIRM_LEASE_S * 1000],
    )


def expire(*, event_id: int, proposal_id: int, at_ms: float | None = None) -> list[str]:
    return run("expire", EXPIRE, args=[event_id, proposal_id, at_ms if at_ms is not None else now_ms()])


def hold(*, proposal_id: int) -> bool:
    return bool(run("hold", HOLD, args=[proposal_id, now_ms(), settings.MATCHING_CONFIRM_LEASE_S * 1000]))


class Finished(NamedTuple):
    """The two users of a proposal that `finish` closed; join times (ms) only when matched."""

    user_a: int
    user_b: int
    join_ms_a: float | None
    join_ms_b: float | None


def finish(*, proposal_id: int, matched: bool) -> Finished | None:
    result = run("finish", FINISH, args=[proposal_id, now_ms(), "matched" if matched else "abort"])
    if not result:
        return None
    return Finished(int(result[0]), int(result[1]), join_ms(result[2]), join_ms(result[3]))


def expired_proposal_ids(*, event_id: int, at_ms: float | None = None, limit: int = 500) -> list[int]:
    at_ms = at_ms if at_ms is not None else now_ms()
    return [int(pid) for pid in get_redis().zrangebyscore(f"mq:{event_id}:leases", "-inf", at_ms, start=0, num=limit)]


def recent_pairings(*, event_id: int, window_s: int) -> int:
    client = get_redis()
    key = f"mq:{event_id}:rate"
    now = now_ms()
    client.zremrangebyscore(key, "-inf", now - window_s * 1000)
    return client.zcard(key)


def cancel(*, proposal_id: int, detail: str) -> tuple[int, int] | None:
    result = run("cancel", CANCEL, args=[proposal_id, now_ms(), detail])
    return (int(result[0]), int(result[1])) if result else None


def repair(*, event_id: int, user_id: int) -> str:
    return run("repair", REPAIR, args=[event_id, user_id, now_ms()])
