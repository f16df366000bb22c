"""Lua shared by every queue script: keys, the epoch guard, id counters, history, ticket moves.

A script that would issue an id or a history entry first checks `mq:epoch`: without it Redis
has lost the queue's state and nothing may change until the engine restores it
(apps/matching/restore.py); the script fails with NOEPOCH, which the caller turns into
`QueueStateLost`.
"""

PRELUDE = r"""
local E, P
local function setup(event_id) E = event_id; P = 'mq:' .. event_id .. ':' end
local function tkey(uid) return P .. 't:' .. uid end
local function bucket(g, s) return P .. 'w:' .. g .. ':' .. s end
local function pkey(pid) return 'mq:p:' .. pid end
local function need_epoch()
  if redis.call('EXISTS', 'mq:epoch') == 0 then error({err = 'NOEPOCH the live queue lost its state'}) end
end
-- Counters start at epoch x 2^32 (see restore.py); %d keeps every digit (.. would print 1e+14).
local function next_id(counter)
  need_epoch()
  return string.format('%d', redis.call('INCR', counter))
end
local function hist(uid, kind, now, pid, detail)
  local seq = next_id('mq:hseq')
  local entry = seq .. '|' .. E .. '|' .. uid .. '|' .. kind .. '|' .. now
  redis.call('RPUSH', 'mq:history', entry .. '|' .. (pid or '') .. '|' .. (detail or ''))
end
-- A ticket in its bucket; args: uid, js, g, s, u, interests, card, same_uni, accept_ms, max_wait_ms, first excluded index.
local function put_ticket(uid, js, g, s, u, i, card, same_uni, accept_ms, max_wait_ms, first_excluded)
  redis.call('HSET', P .. 'cfg', 'same_uni', same_uni, 'accept_ms', accept_ms, 'max_wait_ms', max_wait_ms)
  redis.call('HSET', tkey(uid), 'g', g, 's', s, 'u', u, 'i', i, 'card', card, 'js', js, 'st', 'waiting', 'p', '')
  redis.call('ZADD', bucket(g, s), js, uid)
  redis.call('SADD', P .. 'users', uid)
  redis.call('SADD', 'mq:events', E)
  redis.call('SADD', 'mq:ut:' .. uid, E)
  for k = first_excluded, #ARGV do redis.call('SADD', P .. 'x:' .. uid, ARGV[k]) end
  redis.call('EXPIRE', P .. 'x:' .. uid, 172800)
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
  local pid = next_id('mq:pseq')
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
