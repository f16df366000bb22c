"""Lua of answers and clocks: notified, yes/no, leaving, lease expiry, confirm hold/finish, cancel, repair."""

# ARGV: P, now, accept_deadline_ms, lease_ms → 1 when the proposal now waits for answers
NOTIFIED = r"""
local p = redis.call('HMGET', pkey(ARGV[1]), 'e', 'st', 'n')
if not p[1] or p[2] ~= 'pending' or p[3] == '1' then return 0 end
setup(p[1])
redis.call('HSET', pkey(ARGV[1]), 'n', '1', 'dl', ARGV[3])
redis.call('ZADD', P .. 'leases', tonumber(ARGV[3]) + tonumber(ARGV[4]), ARGV[1])
return 1
"""

# ARGV: P, U, accept (1|0), now, confirm_lease_ms
RESPOND = r"""
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
LEAVE = r"""
setup(ARGV[1])
local uid, now = ARGV[2], tonumber(ARGV[3])
if redis.call('EXISTS', tkey(uid)) == 0 then return {'none'} end
local st, pid = held_state(uid)
if st == 'proposed' then
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
EXPIRE = r"""
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
HOLD = r"""
local p = redis.call('HMGET', pkey(ARGV[1]), 'e', 'st')
if p[2] ~= 'confirming' then return 0 end
setup(p[1])
redis.call('ZADD', P .. 'leases', tonumber(ARGV[2]) + tonumber(ARGV[3]), ARGV[1])
return 1
"""

# ARGV: P, now, outcome ('matched' | 'abort') → {a, b, a's join score, b's join score} (scores
# only when matched, else '') or false when not confirming any more
FINISH = r"""
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
CANCEL = r"""
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
REPAIR = r"""
setup(ARGV[1])
local uid, now = ARGV[2], tonumber(ARGV[3])
local t = redis.call('HMGET', tkey(uid), 'g', 's', 'js')
if not t[1] then redis.call('SREM', P .. 'users', uid); redis.call('HDEL', tpkey(), uid); return 'dangling' end
local st, pid = held_state(uid)
if st == 'waiting' then
  if not redis.call('ZSCORE', bucket(t[1], t[2]), uid) then
    redis.call('ZADD', bucket(t[1], t[2]), t[3], uid)
    return 'rebucketed'
  end
  return 'ok'
end
local p = redis.call('HMGET', pkey(pid), 'st', 'a', 'b')
if not p[1] or p[1] == 'closed' or (p[2] ~= uid and p[3] ~= uid) then
  requeue(uid, now, pid, 'reconciled')
  return 'requeued'
end
if p[1] == 'confirming' then return 'confirming:' .. pid end
if not redis.call('ZSCORE', P .. 'leases', pid) then
  redis.call('ZADD', P .. 'leases', now, pid)
  return 'leased'
end
return 'ok'
"""
