"""Lua of the hot path: a join, pairing a batch of arrivals, the sweep's deep scan, a restored ticket."""

# ARGV: E, now, hedge_ms, same_uni, accept_ms, max_wait_ms, then per ticket:
#   U, js, g, s, u, interests, card, number of excluded ids, excluded ids...
# → {drain, outcome per ticket}: drain is 'drain' when the caller must schedule a drain task,
# 'waiting' when one is already asked for, '' when nothing was queued; an outcome is '' for a
# queued ticket, else the state of the ticket the user already holds.
ENQUEUE = r"""
setup(ARGV[1])
need_epoch()
local now = ARGV[2]
local out = {''}
local arrived = {}
-- Who holds a ticket already (every holder is in P .. 'users', added in the same script as the
-- ticket) and who has an exclusion set: one SMISMEMBER each for the whole batch.
local starts, uids, excluded_counts = {}, {}, {}
local k = 7
while k <= #ARGV do
  local n = #uids + 1
  starts[n], uids[n], excluded_counts[n] = k, ARGV[k], tonumber(ARGV[k + 7])
  k = k + 8 + excluded_counts[n]
end
local holders, had_sets = members(P .. 'users', uids), members(P .. 'xu', uids)
local joined = {}
batch_begin()
for j, uid in ipairs(uids) do
  k = starts[j]
  if joined[uid] then
    out[#out + 1] = 'waiting'
  elseif holders[j] == 1 and redis.call('EXISTS', tkey(uid)) == 1 then
    out[#out + 1] = held_state(uid)
  else
    -- Most students exclude nobody: they share one empty list (never written to).
    local excluded = NO_EXCLUSIONS
    if excluded_counts[j] > 0 then excluded = {unpack(ARGV, k + 8, k + 7 + excluded_counts[j])} end
    if #arrived == 0 then put_cfg(ARGV[4], ARGV[5], ARGV[6]) end
    put_ticket(uid, ARGV[k + 1], ARGV[k + 2], ARGV[k + 3], ARGV[k + 4], ARGV[k + 5], ARGV[k + 6], excluded, had_sets[j] == 1)
    hist(uid, 'joined', now)
    arrived[#arrived + 1] = uid
    joined[uid] = true
    out[#out + 1] = ''
  end
end
batch_flush()
if #arrived == 0 then return out end
-- Arrivals are paired by a worker in batches: the first arrival after a drain started asks
-- for a new drain task. If that task has not started within the hedge (it sits behind a busy
-- worker, or died with one), the next arrival asks for another; any drain takes all arrivals.
push_all(P .. 'arrivals', arrived)
add_all('SADD', P .. 'users', arrived)
local asked = redis.call('GET', P .. 'drain')
if not asked or tonumber(now) - tonumber(asked) > tonumber(ARGV[3]) then
  redis.call('SET', P .. 'drain', now, 'EX', 5)
  out[1] = 'drain'
else
  out[1] = 'waiting'
end
return out
"""

# KEYS: arrivals, drain flag; ARGV: count, now, release → up to `count` arrivals, oldest first.
# A running drain keeps the flag (refreshed to now), so the joins meanwhile ask for no drain
# task of their own. Only a take that finds nothing and may `release` deletes it, in the same
# atomic step: an arrival before it is taken, an arrival after it finds no flag and asks for a
# new drain, so no arrival is left without one.
TAKE_ARRIVALS = r"""
local taken = redis.call('LPOP', KEYS[1], ARGV[1])
if taken or ARGV[3] ~= '1' then
  redis.call('SET', KEYS[2], ARGV[2], 'EX', 5)
else
  redis.call('DEL', KEYS[2])
end
return taken or {}
"""

# ARGV: E, U, js, g, s, u, interests, card, same_uni, accept_ms, max_wait_ms, now, excluded ids...
# → 1 when the ticket PostgreSQL kept is back at its original join score, 0 when Redis had it.
RESTORE = r"""
setup(ARGV[1])
local uid = ARGV[2]
if redis.call('EXISTS', tkey(uid)) == 1 then return 0 end
local excluded = {}
for k = 13, #ARGV do excluded[#excluded + 1] = ARGV[k] end
put_cfg(ARGV[9], ARGV[10], ARGV[11])
local had_set = redis.call('SISMEMBER', P .. 'xu', uid) == 1
put_ticket(uid, ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], excluded, had_set)
redis.call('SADD', P .. 'users', uid)
hist(uid, 'requeued', ARGV[12], nil, 'restored')
return 1
"""

# Pairs each of `uids` (bounded scan) in one batch; ARGV[1..6]: E, now, depth, window_ms, lease_ms,
# ties → `out` (what the caller put first) followed by accept_ms, pid, a, b, card a, card b, ...
_PAIR_BATCH = r"""
local function pair_batch(uids, out)
  setup(ARGV[1])
  -- The fairness window in join score units, as the scan compares it with scores.
  local now, depth, window, lease = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]) * JS_PER_MS, tonumber(ARGV[5])
  local ties = tonumber(ARGV[6])
  out[#out + 1] = redis.call('HGET', P .. 'cfg', 'accept_ms') or '20000'
  batch_begin()
  claim_clock(now, lease)
  states_read(uids)
  for k = 1, #uids do
    pid_wanted = #uids - k + 1
    local me = load_seeker(uids[k])
    if me then
      local other = find_partner(me, depth, window, ties)
      if other then announce_row(out, claim(me, other), me, other) end
    end
  end
  batch_flush()
  return out
end
"""

# ARGV: E, now, depth, window_ms, lease_ms, ties, U... → {accept_ms, pid, a, b, card a, card b, ...}
PAIR_MANY = (
    _PAIR_BATCH
    + r"""
return pair_batch({unpack(ARGV, 7)}, {})
"""
)

# The drain's step: TAKE_ARRIVALS and PAIR_MANY of what it took, in one atomic call (one round
# trip instead of two), with the drain flag kept and released as TAKE_ARRIVALS does.
# ARGV: E, now, depth, window_ms, lease_ms, ties, count, release
# → {taken, arrivals left, accept_ms, pid, a, b, card a, card b, ...}
PAIR_ARRIVALS = (
    _PAIR_BATCH
    + r"""
-- Checked before the take: a lost state keeps its arrivals list for the restore to wipe.
need_epoch()
local arrivals, drain = 'mq:' .. ARGV[1] .. ':arrivals', 'mq:' .. ARGV[1] .. ':drain'
local taken = redis.call('LPOP', arrivals, ARGV[7])
local left = redis.call('LLEN', arrivals)
if taken or ARGV[8] ~= '1' then
  redis.call('SET', drain, ARGV[2], 'EX', 5)
else
  redis.call('DEL', drain)
end
if not taken then return {0, left} end
return pair_batch(taken, {#taken, left})
"""
)

# ARGV: E, now, cursor (exclusive join score), batch, depth, window_ms, lease_ms, ties
# → {next_cursor, done, pid1, pid2, ...}: pairs the oldest `batch` waiting users after the cursor.
SWEEP = r"""
setup(ARGV[1])
local now, batch, depth = tonumber(ARGV[2]), tonumber(ARGV[4]), tonumber(ARGV[5])
local window, lease, ties = tonumber(ARGV[6]) * JS_PER_MS, tonumber(ARGV[7]), tonumber(ARGV[8])
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
batch_begin()
claim_clock(now, lease)
local seekers = {}
for k = 1, math.min(batch, #rows) do seekers[k] = rows[k].id end
states_read(seekers)
for k = 1, #seekers do
  pid_wanted = #seekers - k + 1
  last = rows[k].raw
  local me = load_seeker(rows[k].id)
  if me then
    local other = find_partner(me, depth, window, ties)
    if other then announce_row(out, claim(me, other), me, other) end
  end
end
batch_flush()
if #rows > batch then out[1] = last; out[2] = 0 end
return out
"""
