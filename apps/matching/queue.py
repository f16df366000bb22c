"""The live queue in Redis: every state change is one atomic Lua call.

Layout (E = event id, U = user id, P = proposal id):
  mq:E:w:<gender>:<seeking>  ZSET of waiting users scored by their original join time (ms);
                             one bucket per (gender, seeking) so a scan never wastes its budget
                             on people of the wrong gender.
  mq:E:t:U                   HASH ticket: g, s, u (university), i (",interest,ids,"), js (join
                             score), st (waiting|proposed), p (proposal), card (public card JSON)
  mq:E:x:U                   SET of users U must never be proposed (blocks, past partners, declines)
  mq:E:cfg                   HASH event rules the scripts need (same_uni, accept_ms, max_wait_ms)
  mq:E:leases                ZSET proposal → lease expiry (ms); the sweep reaps expired ones
  mq:E:rate                  ZSET proposal → time it was made (ETA from the recent match rate)
  mq:E:users                 SET of users holding a ticket
  mq:E:gone                  ZSET user → end of their disconnect grace (ms)
  mq:p:P                     HASH proposal: e, a, b, st (pending|confirming|closed), ra, rb, n (notified)
  mq:events                  SET of events with a queue;  mq:ut:U  SET of events where U holds a ticket
  mq:history                 LIST of "seq|E|U|kind|ms|P|detail" drained to PostgreSQL in bulk

A user is in exactly one place: a bucket (waiting) or one proposal (proposed) — the scripts
move tickets between the two and nothing else writes these keys.
"""

import time
from dataclasses import dataclass
from typing import NamedTuple

from django.conf import settings

from apps.core.redis import get_redis, run_script

EVENTS_KEY = "mq:events"
HISTORY_KEY = "mq:history"
GENDERS = ("M", "F")
SEEKINGS = ("M", "F", "FM")

_PRELUDE = r"""
local E, P
local function setup(event_id) E = event_id; P = 'mq:' .. event_id .. ':' end
local function tkey(uid) return P .. 't:' .. uid end
local function bucket(g, s) return P .. 'w:' .. g .. ':' .. s end
local function pkey(pid) return 'mq:p:' .. pid end
local function hist(uid, kind, now, pid, detail)
  local seq = redis.call('INCR', 'mq:hseq')
  local entry = seq .. '|' .. E .. '|' .. uid .. '|' .. kind .. '|' .. now
  redis.call('RPUSH', 'mq:history', entry .. '|' .. (pid or '') .. '|' .. (detail or ''))
end
local function requeue(uid, now, pid, detail)
  local t = redis.call('HMGET', tkey(uid), 'g', 's', 'js')
  if not t[1] then return false end
  redis.call('HSET', tkey(uid), 'st', 'waiting', 'p', '')
  redis.call('ZADD', bucket(t[1], t[2]), t[3], uid)
  hist(uid, 'requeued', now, pid, detail)
  return true
end
-- Returns the ticket's original join score ('' when there was none): the caller records the wait.
local function drop(uid, kind, now, pid, detail)
  local t = redis.call('HMGET', tkey(uid), 'g', 's', 'js')
  if t[1] then redis.call('ZREM', bucket(t[1], t[2]), uid) end
  redis.call('DEL', tkey(uid))
  redis.call('SREM', P .. 'users', uid)
  redis.call('SREM', 'mq:ut:' .. uid, E)
  redis.call('ZREM', P .. 'gone', uid)
  hist(uid, kind, now, pid, detail)
  return t[3] or ''
end
local function exclude_pair(a, b)
  redis.call('SADD', P .. 'x:' .. a, b)
  redis.call('SADD', P .. 'x:' .. b, a)
end
local function close(pid)
  redis.call('HSET', pkey(pid), 'st', 'closed')
  redis.call('EXPIRE', pkey(pid), 3600)
  redis.call('ZREM', P .. 'leases', pid)
end
local function load(uid)
  local t = redis.call('HMGET', tkey(uid), 'g', 's', 'u', 'i', 'st', 'js')
  if not t[1] then return nil end
  return {id = uid, g = t[1], s = t[2], u = t[3], i = t[4] or ',', st = t[5], js = tonumber(t[6])}
end
local function compatible(a, b, same_uni_ok)
  if a.id == b.id then return false end
  if not string.find(a.s, b.g, 1, true) or not string.find(b.s, a.g, 1, true) then return false end
  if not same_uni_ok and a.u == b.u then return false end
  if redis.call('SISMEMBER', P .. 'x:' .. a.id, b.id) == 1 then return false end
  if redis.call('SISMEMBER', P .. 'x:' .. b.id, a.id) == 1 then return false end
  return true
end
local function overlap(a, b)
  local n = 0
  for id in string.gmatch(a.i, '%d+') do
    if string.find(b.i, ',' .. id .. ',', 1, true) then n = n + 1 end
  end
  return n
end
local SEEK = {'M', 'F', 'FM'}
-- Longest-waiting compatible candidate; among those who joined within `window` ms of it,
-- the largest interest overlap (then the longer wait) wins.
local function find_partner(me, depth, window)
  local same_uni_ok = redis.call('HGET', P .. 'cfg', 'same_uni') ~= '0'
  local found = {}
  local oldest = nil
  for g2 in string.gmatch(me.s, '.') do
    for _, s2 in ipairs(SEEK) do
      if string.find(s2, me.g, 1, true) then
        local rows = redis.call('ZRANGE', bucket(g2, s2), 0, depth - 1, 'WITHSCORES')
        for k = 1, #rows, 2 do
          local score = tonumber(rows[k + 1])
          if oldest and score > oldest + window then break end
          if rows[k] ~= me.id then
            local c = load(rows[k])
            if c and c.st == 'waiting' and compatible(me, c, same_uni_ok) then
              if not oldest or score < oldest then oldest = score end
              found[#found + 1] = {c = c, js = score, ov = overlap(me, c)}
            end
          end
        end
      end
    end
  end
  local best = nil
  for _, f in ipairs(found) do
    if f.js <= oldest + window then
      if not best or f.ov > best.ov or (f.ov == best.ov and f.js < best.js) then best = f end
    end
  end
  return best and best.c or nil
end
local function claim(me, other, now, lease_ms)
  local pid = redis.call('INCR', 'mq:pseq')
  redis.call('ZREM', bucket(me.g, me.s), me.id)
  redis.call('ZREM', bucket(other.g, other.s), other.id)
  redis.call('HSET', tkey(me.id), 'st', 'proposed', 'p', pid)
  redis.call('HSET', tkey(other.id), 'st', 'proposed', 'p', pid)
  redis.call('HSET', pkey(pid), 'e', E, 'a', me.id, 'b', other.id, 'st', 'pending', 'ra', '0', 'rb', '0', 'n', '0', 'at', now)
  redis.call('ZADD', P .. 'leases', now + lease_ms, pid)
  redis.call('ZADD', P .. 'rate', now, pid)
  hist(me.id, 'proposed', now, pid)
  hist(other.id, 'proposed', now, pid)
  return pid
end
-- What the announcing worker needs, so it makes no further round trip: pid, a, b, cards.
local function announce_row(out, pid, me, other)
  out[#out + 1] = pid
  out[#out + 1] = me.id
  out[#out + 1] = other.id
  out[#out + 1] = redis.call('HGET', tkey(me.id), 'card')
  out[#out + 1] = redis.call('HGET', tkey(other.id), 'card')
end
"""

# ARGV: E, U, js, g, s, u, interests, card, same_uni, accept_ms, max_wait_ms, now, hedge_ms, excluded ids...
_ENQUEUE = r"""
setup(ARGV[1])
local uid = ARGV[2]
local st = redis.call('HGET', tkey(uid), 'st')
if st then return {'exists', st} end
redis.call('HSET', P .. 'cfg', 'same_uni', ARGV[9], 'accept_ms', ARGV[10], 'max_wait_ms', ARGV[11])
redis.call('HSET', tkey(uid), 'g', ARGV[4], 's', ARGV[5], 'u', ARGV[6], 'i', ARGV[7], 'card', ARGV[8])
redis.call('HSET', tkey(uid), 'js', ARGV[3], 'st', 'waiting', 'p', '')
redis.call('ZADD', bucket(ARGV[4], ARGV[5]), ARGV[3], uid)
redis.call('SADD', P .. 'users', uid)
redis.call('SADD', 'mq:events', E)
redis.call('SADD', 'mq:ut:' .. uid, E)
if #ARGV > 13 then
  for k = 14, #ARGV do redis.call('SADD', P .. 'x:' .. uid, ARGV[k]) end
end
redis.call('EXPIRE', P .. 'x:' .. uid, 172800)
hist(uid, 'joined', ARGV[12])
-- Arrivals are paired by a worker in batches: the first arrival after a drain started asks
-- for a new drain task. If that task has not started within the hedge (it sits behind a busy
-- worker, or died with one), the next arrival asks for another; any drain takes all arrivals.
redis.call('RPUSH', P .. 'arrivals', uid)
local asked = redis.call('GET', P .. 'drain')
if not asked or tonumber(ARGV[12]) - tonumber(asked) > tonumber(ARGV[13]) then
  redis.call('SET', P .. 'drain', ARGV[12], 'EX', 5)
  return {'queued', 'drain'}
end
return {'queued', 'waiting'}
"""

# ARGV: E, now, depth, window, lease_ms, U... → proposal ids made for these arrivals
_PAIR_MANY = r"""
setup(ARGV[1])
local now, depth, window, lease = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local out = {redis.call('HGET', P .. 'cfg', 'accept_ms') or '20000'}
for k = 6, #ARGV do
  local me = load(ARGV[k])
  if me and me.st == 'waiting' then
    local other = find_partner(me, depth, window)
    if other then announce_row(out, claim(me, other, now, lease), me, other) end
  end
end
return out
"""

# ARGV: E, now, cursor (exclusive join score), batch, depth, window, lease_ms
# → {next_cursor, done, pid1, pid2, ...}: pairs the oldest `batch` waiting users after the cursor.
_SWEEP = r"""
setup(ARGV[1])
local now, batch, depth = tonumber(ARGV[2]), tonumber(ARGV[4]), tonumber(ARGV[5])
local window, lease = tonumber(ARGV[6]), tonumber(ARGV[7])
local rows = {}
for _, g in ipairs({'M', 'F'}) do
  for _, s in ipairs(SEEK) do
    local r = redis.call('ZRANGEBYSCORE', bucket(g, s), '(' .. ARGV[3], '+inf', 'WITHSCORES', 'LIMIT', 0, batch + 1)
    for k = 1, #r, 2 do rows[#rows + 1] = {id = r[k], js = tonumber(r[k + 1]), raw = r[k + 1]} end
  end
end
table.sort(rows, function(x, y) return x.js < y.js end)
local out = {ARGV[3], 1, redis.call('HGET', P .. 'cfg', 'accept_ms') or '20000'}
local last = nil
for k = 1, math.min(batch, #rows) do
  last = rows[k].raw
  local me = load(rows[k].id)
  if me and me.st == 'waiting' then
    local other = find_partner(me, depth, window)
    if other then announce_row(out, claim(me, other, now, lease), me, other) end
  end
end
if #rows > batch then out[1] = last; out[2] = 0 end
return out
"""

# ARGV: P, now, accept_deadline_ms, lease_ms → 1 when the proposal now waits for answers
_NOTIFIED = r"""
local p = redis.call('HMGET', pkey(ARGV[1]), 'e', 'st', 'n')
if not p[1] or p[2] ~= 'pending' or p[3] == '1' then return 0 end
setup(p[1])
redis.call('HSET', pkey(ARGV[1]), 'n', '1', 'dl', ARGV[3])
redis.call('ZADD', P .. 'leases', tonumber(ARGV[3]) + tonumber(ARGV[4]), ARGV[1])
return 1
"""

# ARGV: P, U, accept (1|0), now, confirm_lease_ms
_RESPOND = r"""
local pid, uid, now = ARGV[1], ARGV[2], tonumber(ARGV[4])
local p = redis.call('HMGET', pkey(pid), 'e', 'a', 'b', 'st', 'ra', 'rb', 'dl')
if not p[1] then return {'err', 'proposal_not_found'} end
setup(p[1])
local side
if p[2] == uid then side = 'ra' elseif p[3] == uid then side = 'rb' else return {'err', 'not_your_proposal'} end
local other = side == 'ra' and p[3] or p[2]
if p[4] == 'closed' or (p[7] and now > tonumber(p[7])) then return {'err', 'proposal_expired', p[1]} end
if p[4] == 'confirming' then return {'confirming', p[1], other} end
if ARGV[3] == '1' then
  if redis.call('HGET', pkey(pid), side) == '1' then return {'accepted', p[1], other} end
  redis.call('HSET', pkey(pid), side, '1')
  hist(uid, 'accepted', now, pid)
  local other_side = side == 'ra' and 'rb' or 'ra'
  if redis.call('HGET', pkey(pid), other_side) == '1' then
    redis.call('HSET', pkey(pid), 'st', 'confirming')
    redis.call('ZADD', P .. 'leases', now + tonumber(ARGV[5]), pid)
    return {'confirm', p[1], other}
  end
  return {'accepted', p[1], other}
end
close(pid)
exclude_pair(uid, other)
local js = drop(uid, 'declined', now, pid)
requeue(other, now, pid, 'partner_declined')
return {'declined', p[1], other, js}
"""

# ARGV: E, U, now, kind → {'none'} | {'confirming'} | {'left', js} | {'left_proposal', pid, other, js}
_LEAVE = r"""
setup(ARGV[1])
local uid, now = ARGV[2], tonumber(ARGV[3])
local t = redis.call('HMGET', tkey(uid), 'st', 'p')
if not t[1] then return {'none'} end
if t[1] == 'proposed' and t[2] ~= '' then
  local pid = t[2]
  local p = redis.call('HMGET', pkey(pid), 'a', 'b', 'st')
  if p[3] == 'confirming' then return {'confirming'} end
  local other = p[1] == uid and p[2] or p[1]
  close(pid)
  local js = drop(uid, ARGV[4], now, pid)
  if other then requeue(other, now, pid, 'partner_left') end
  return {'left_proposal', pid, other or '', js}
end
return {'left', drop(uid, ARGV[4], now)}
"""

# ARGV: E, P, now → outcome of an expired lease; nothing changes while the lease is alive.
_EXPIRE = r"""
setup(ARGV[1])
local pid, now = ARGV[2], tonumber(ARGV[3])
local lease = redis.call('ZSCORE', P .. 'leases', pid)
if not lease then return {'gone'} end
if tonumber(lease) > now then return {'alive'} end
local p = redis.call('HMGET', pkey(pid), 'a', 'b', 'st', 'ra', 'rb', 'n')
if not p[1] or p[3] == 'closed' then redis.call('ZREM', P .. 'leases', pid); return {'gone'} end
if p[3] == 'confirming' then return {'confirming', p[1], p[2]} end
close(pid)
if p[6] ~= '1' then
  requeue(p[1], now, pid, 'lease_expired')
  requeue(p[2], now, pid, 'lease_expired')
  return {'lease', p[1], 'requeued', p[2], 'requeued'}
end
-- {'timeout', a, fate, b, fate, a's join score or '', b's join score or ''}
local out = {'timeout'}
local scores = {}
for _, pair in ipairs({{p[1], p[4]}, {p[2], p[5]}}) do
  if pair[2] == '1' then
    requeue(pair[1], now, pid, 'partner_timeout')
    out[#out + 1] = pair[1]; out[#out + 1] = 'requeued'
    scores[#scores + 1] = ''
  else
    scores[#scores + 1] = drop(pair[1], 'timed_out', now, pid)
    out[#out + 1] = pair[1]; out[#out + 1] = 'dropped'
  end
end
out[#out + 1] = scores[1]; out[#out + 1] = scores[2]
exclude_pair(p[1], p[2])
return out
"""

# ARGV: P, now, lease_ms → 1 while the proposal is still confirming (lease extended)
_HOLD = r"""
local p = redis.call('HMGET', pkey(ARGV[1]), 'e', 'st')
if p[2] ~= 'confirming' then return 0 end
setup(p[1])
redis.call('ZADD', P .. 'leases', tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[1])
return 1
"""

# ARGV: P, now, outcome ('matched' | 'abort') → {a, b, a's join score, b's join score} (scores
# only when matched, else '') or false when not confirming any more
_FINISH = r"""
local pid, now = ARGV[1], tonumber(ARGV[2])
local p = redis.call('HMGET', pkey(pid), 'e', 'a', 'b', 'st')
if p[4] ~= 'confirming' then return false end
setup(p[1])
close(pid)
if ARGV[3] == 'matched' then
  exclude_pair(p[2], p[3])
  local js_a = drop(p[2], 'matched', now, pid)
  local js_b = drop(p[3], 'matched', now, pid)
  return {p[2], p[3], js_a, js_b}
end
requeue(p[2], now, pid, 'lease_expired')
requeue(p[3], now, pid, 'lease_expired')
return {p[2], p[3], '', ''}
"""

# ARGV: P, now, detail → {a, b} or false: a pending proposal is withdrawn, both keep their places.
_CANCEL = r"""
local pid, now = ARGV[1], tonumber(ARGV[2])
local p = redis.call('HMGET', pkey(pid), 'e', 'a', 'b', 'st')
if p[4] ~= 'pending' then return false end
setup(p[1])
close(pid)
exclude_pair(p[2], p[3])
requeue(p[2], now, pid, ARGV[3])
requeue(p[3], now, pid, ARGV[3])
return {p[2], p[3]}
"""

# ARGV: E, U, now → what reconciliation did to the ticket
_REPAIR = r"""
setup(ARGV[1])
local uid, now = ARGV[2], tonumber(ARGV[3])
local t = redis.call('HMGET', tkey(uid), 'st', 'p', 'g', 's', 'js')
if not t[1] then redis.call('SREM', P .. 'users', uid); return 'dangling' end
if t[1] == 'waiting' then
  if not redis.call('ZSCORE', bucket(t[3], t[4]), uid) then
    redis.call('ZADD', bucket(t[3], t[4]), t[5], uid)
    return 'rebucketed'
  end
  return 'ok'
end
local p = redis.call('HMGET', pkey(t[2]), 'st', 'a', 'b')
if not p[1] or p[1] == 'closed' or (p[2] ~= uid and p[3] ~= uid) then
  requeue(uid, now, t[2], 'reconciled')
  return 'requeued'
end
if p[1] == 'confirming' then return 'confirming:' .. t[2] end
if not redis.call('ZSCORE', P .. 'leases', t[2]) then
  redis.call('ZADD', P .. 'leases', now, t[2])
  return 'leased'
end
return 'ok'
"""


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


_scripts: dict[str, object] = {}


def _script(name: str, body: str, *, prelude: bool = True):
    if name not in _scripts:
        _scripts[name] = get_redis().register_script(_PRELUDE + body if prelude else body)
    return _scripts[name]


def now_ms() -> float:
    # Microsecond precision keeps join scores of a 500-per-second crowd distinct.
    return round(time.time() * 1000, 3)


def event_prefix(event_id: int) -> str:
    return f"mq:{event_id}:"


def bucket_key(event_id: int, gender: str, seeking: str) -> str:
    return f"mq:{event_id}:w:{gender}:{seeking}"


def ticket_key(event_id: int, user_id: int) -> str:
    return f"mq:{event_id}:t:{user_id}"


def proposal_key(proposal_id: int) -> str:
    return f"mq:p:{proposal_id}"


def enqueue(snapshot: TicketSnapshot, *, at_ms: float | None = None) -> tuple[str, str]:
    """Create the ticket and put it in its bucket and the arrivals list.

    Returns ('queued', 'drain') when the caller must schedule a drain, ('queued', 'waiting') when
    one is already scheduled, ('exists', state) when the user already holds a ticket.
    """
    at_ms = at_ms if at_ms is not None else now_ms()
    args = [
        snapshot.event_id,
        snapshot.user_id,
        at_ms,
        snapshot.gender,
        snapshot.seeking,
        snapshot.university_id,
        "," + ",".join(str(i) for i in sorted(snapshot.interest_ids)) + ",",
        snapshot.card_json,
        "1" if snapshot.allow_same_university else "0",
        snapshot.accept_timeout_s * 1000,
        snapshot.max_wait_s * 1000,
        at_ms,
        settings.MATCHING_DRAIN_HEDGE_MS,
        *sorted(snapshot.excluded_user_ids),
    ]
    outcome, state = _script("enqueue", _ENQUEUE)(args=args)
    return outcome, state


def arrivals_take(*, event_id: int, count: int) -> list[int]:
    """Clear the drain flag and take up to `count` arrivals (later arrivals schedule a new drain)."""
    pipe = get_redis().pipeline(transaction=False)
    pipe.delete(f"mq:{event_id}:drain")
    pipe.lpop(f"mq:{event_id}:arrivals", count)
    return [int(user_id) for user_id in pipe.execute()[1] or []]


@dataclass(frozen=True)
class NewProposal:
    """A proposal just claimed, with what announcing it needs."""

    proposal_id: int
    event_id: int
    user_ids: tuple[int, int]
    cards: tuple[str | None, str | None]
    accept_timeout_s: int


def _new_proposals(event_id: int, accept_ms: str, flat: list) -> list[NewProposal]:
    return [
        NewProposal(
            int(flat[k]), event_id, (int(flat[k + 1]), int(flat[k + 2])), (flat[k + 3], flat[k + 4]), int(float(accept_ms) / 1000)
        )
        for k in range(0, len(flat), 5)
    ]


def pair_many(*, event_id: int, user_ids: list[int]) -> list[NewProposal]:
    """Pair each of the arrivals (bounded scan) in one atomic call; returns the new proposals."""
    if not user_ids:
        return []
    result = _script("pair_many", _PAIR_MANY)(
        args=[
            event_id,
            now_ms(),
            settings.MATCHING_SCAN_DEPTH,
            settings.MATCHING_FAIRNESS_WINDOW_MS,
            settings.MATCHING_NOTIFY_LEASE_S * 1000,
            *user_ids,
        ]
    )
    return _new_proposals(event_id, result[0], result[1:])


def sweep(*, event_id: int) -> list[NewProposal]:
    """Try every waiting user with the deep scan, oldest first; returns the new proposals."""
    proposals: list[NewProposal] = []
    cursor = "-inf"
    script = _script("sweep", _SWEEP)
    while True:
        result = script(
            args=[
                event_id,
                now_ms(),
                cursor,
                settings.MATCHING_SWEEP_BATCH,
                settings.MATCHING_SWEEP_SCAN_DEPTH,
                settings.MATCHING_FAIRNESS_WINDOW_MS,
                settings.MATCHING_NOTIFY_LEASE_S * 1000,
            ]
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
    script = _script("notified", _NOTIFIED)
    pipe = get_redis().pipeline(transaction=False)
    now = now_ms()
    for proposal_id, deadline in zip(proposal_ids, accept_deadlines_ms, strict=True):
        script(args=[proposal_id, now, deadline, settings.MATCHING_ACCEPT_GRACE_S * 1000], client=pipe)
    return [bool(result) for result in pipe.execute()]


def respond(*, proposal_id: int, user_id: int, accept: bool) -> list[str]:
    return _script("respond", _RESPOND)(
        args=[proposal_id, user_id, "1" if accept else "0", now_ms(), settings.MATCHING_CONFIRM_LEASE_S * 1000]
    )


def leave(*, event_id: int, user_id: int, kind: str = "left") -> list[str]:
    return _script("leave", _LEAVE)(args=[event_id, user_id, now_ms(), kind])


def expire(*, event_id: int, proposal_id: int, at_ms: float | None = None) -> list[str]:
    return _script("expire", _EXPIRE)(args=[event_id, proposal_id, at_ms if at_ms is not None else now_ms()])


def hold(*, proposal_id: int) -> bool:
    return bool(_script("hold", _HOLD)(args=[proposal_id, now_ms(), settings.MATCHING_CONFIRM_LEASE_S * 1000]))


class Finished(NamedTuple):
    """The two users of a proposal that `finish` closed; join scores (ms) only when matched."""

    user_a: int
    user_b: int
    join_ms_a: float | None
    join_ms_b: float | None


def join_ms(raw: str | None) -> float | None:
    """A join score returned by a script ('' when the ticket was already gone)."""
    return float(raw) if raw else None


def finish(*, proposal_id: int, matched: bool) -> Finished | None:
    result = _script("finish", _FINISH)(args=[proposal_id, now_ms(), "matched" if matched else "abort"])
    if not result:
        return None
    return Finished(int(result[0]), int(result[1]), join_ms(result[2]), join_ms(result[3]))


def expired_proposal_ids(*, event_id: int, at_ms: float | None = None, limit: int = 500) -> list[int]:
    at_ms = at_ms if at_ms is not None else now_ms()
    return [int(pid) for pid in get_redis().zrangebyscore(f"mq:{event_id}:leases", "-inf", at_ms, start=0, num=limit)]


def event_ids_with_queue() -> list[int]:
    return sorted(int(event_id) for event_id in get_redis().smembers(EVENTS_KEY))


def ticket_get(*, event_id: int, user_id: int) -> dict[str, str]:
    return get_redis().hgetall(ticket_key(event_id, user_id))


def ticket_event_ids(*, user_id: int) -> list[int]:
    return [int(event_id) for event_id in get_redis().smembers(f"mq:ut:{user_id}")]


def waiting(*, event_id: int) -> list[tuple[int, str, str, float]]:
    """Every waiting user as (user id, gender, seeking, join score), oldest first."""
    pipe = get_redis().pipeline(transaction=False)
    combos = [(g, s) for g in GENDERS for s in SEEKINGS]
    for gender, seeking in combos:
        pipe.zrange(bucket_key(event_id, gender, seeking), 0, -1, withscores=True)
    rows = [
        (int(user_id), gender, seeking, score)
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
    """Start the disconnect grace for every queue the user waits in."""
    client = get_redis()
    until = now_ms() + grace_s * 1000
    for event_id in ticket_event_ids(user_id=user_id):
        client.zadd(f"mq:{event_id}:gone", {str(user_id): until})


_MARK_BACK = """
for _, event_id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  redis.call('ZREM', 'mq:' .. event_id .. ':gone', ARGV[1])
end
"""


def mark_back(*, user_id: int, pipe=None) -> None:
    """The user has a socket again: no event's grace period runs for them any more.

    One script, so a socket connect can queue it on its shared pipeline (`pipe`).
    """
    # Without the prelude: queued as EVAL, the source travels on every connect.
    script = _script("mark_back", _MARK_BACK, prelude=False)
    run_script(script, keys=[f"mq:ut:{user_id}"], args=[str(user_id)], client=pipe)


def gone_expired(*, event_id: int) -> list[int]:
    return [int(u) for u in get_redis().zrangebyscore(f"mq:{event_id}:gone", "-inf", now_ms())]


def clear_gone(*, event_id: int, user_id: int) -> None:
    get_redis().zrem(f"mq:{event_id}:gone", str(user_id))


def recent_pairings(*, event_id: int, window_s: int) -> int:
    client = get_redis()
    key = f"mq:{event_id}:rate"
    now = now_ms()
    client.zremrangebyscore(key, "-inf", now - window_s * 1000)
    return client.zcard(key)


def excluded_ids(*, event_id: int, user_id: int) -> set[int]:
    return {int(u) for u in get_redis().smembers(f"mq:{event_id}:x:{user_id}")}


def ticket_user_ids(*, event_id: int) -> set[int]:
    return {int(u) for u in get_redis().smembers(f"mq:{event_id}:users")}


def history_batch(*, limit: int) -> list[str]:
    return get_redis().lrange(HISTORY_KEY, 0, limit - 1)


def history_trim(*, count: int) -> None:
    get_redis().ltrim(HISTORY_KEY, count, -1)


def cancel(*, proposal_id: int, detail: str) -> tuple[int, int] | None:
    result = _script("cancel", _CANCEL)(args=[proposal_id, now_ms(), detail])
    return (int(result[0]), int(result[1])) if result else None


def repair(*, event_id: int, user_id: int) -> str:
    return _script("repair", _REPAIR)(args=[event_id, user_id, now_ms()])


def event_config(*, event_id: int) -> dict[str, int]:
    raw = get_redis().hgetall(f"mq:{event_id}:cfg")
    return {
        "accept_s": int(float(raw.get("accept_ms", 20_000)) / 1000),
        "max_wait_s": int(float(raw.get("max_wait_ms", 300_000)) / 1000),
        "same_uni": raw.get("same_uni", "1") == "1",
    }


def forget_event(*, event_id: int) -> None:
    get_redis().srem(EVENTS_KEY, event_id)


def acquire(key: str, *, ttl_ms: int) -> bool:
    """A best-effort lock that only saves duplicate work; correctness never depends on it."""
    return bool(get_redis().set(key, "1", nx=True, px=max(ttl_ms, 1)))


def release(key: str) -> None:
    get_redis().delete(key)
