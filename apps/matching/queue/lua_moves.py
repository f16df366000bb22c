"""Lua of the hot path: a join, pairing a batch of arrivals, the sweep's deep scan, a restored ticket."""

# ARGV: E, U, js, g, s, u, interests, card, same_uni, accept_ms, max_wait_ms, now, hedge_ms, excluded ids...
ENQUEUE = r"""
setup(ARGV[1])
need_epoch()
local uid = ARGV[2]
local st = redis.call('HGET', tkey(uid), 'st')
if st then return {'exists', st} end
put_ticket(uid, ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11], 14)
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

# ARGV as ENQUEUE (ARGV[13] unused): the ticket PostgreSQL kept, back at its original join score.
RESTORE = r"""
setup(ARGV[1])
local uid = ARGV[2]
if redis.call('HGET', tkey(uid), 'st') then return 0 end
put_ticket(uid, ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11], 14)
hist(uid, 'requeued', ARGV[12], nil, 'restored')
return 1
"""

# ARGV: E, now, depth, window, lease_ms, U... → proposal ids made for these arrivals
PAIR_MANY = r"""
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
SWEEP = r"""
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
