"""Lua shared by every queue script: keys, the epoch guard, id counters, history, ticket moves.

A script that would issue an id or a history entry first checks the epoch marker of its own
layout (`mq:epoch:<layout>`, apps/matching/queue/base.py): without it Redis has lost the queue's
state, or holds it in another release's layout, and nothing may change until the engine restores
it (apps/matching/services/restore.py); the script fails with NOEPOCH, which the caller turns
into `QueueStateLost`.
"""

from apps.matching.queue.lua_scan import PAIRING_SCAN

# EPOCH_KEY and JS_PER_MS (join score units per ms) are defined in front of it by
# apps.matching.queue.base.script.
PRELUDE = (
    r"""
local E, P
-- Bucket key names of the call's event, built once each ([gender][seeking]).
local bucket_keys
local function setup(event_id) E = event_id; P = 'mq:' .. event_id .. ':'; bucket_keys = {} end
local function tkey(uid) return P .. 't:' .. uid end
-- HASH user -> proposal id of every user in a proposal (a ticket without an entry waits).
local function tpkey() return P .. 'tp' end
local function bucket(g, s)
  local by_seeking = bucket_keys[g]
  if not by_seeking then by_seeking = {}; bucket_keys[g] = by_seeking end
  local key = by_seeking[s]
  if not key then key = P .. 'w:' .. g .. ':' .. s; by_seeking[s] = key end
  return key
end
local function pkey(pid) return 'mq:p:' .. pid end
local epoch_seen = false
local function need_epoch()
  if redis.call('EXISTS', EPOCH_KEY) == 0 then error({err = 'NOEPOCH the live queue lost its state'}) end
  -- A script is atomic and none deletes the marker: one check per call is enough.
  epoch_seen = true
end
-- Counters start at epoch x 2^32 (see restore.py); %d keeps every digit (.. would print 1e+14).
local function next_id(counter)
  if not epoch_seen then need_epoch() end
  return string.format('%d', redis.call('INCR', counter))
end
-- Proposal ids are drawn in blocks: one INCRBY reserves up to PID_BLOCK ids, no more than the
-- seekers still to try in this call (`pid_wanted`, set by the batch scripts), so few are skipped.
-- The counter is always at or above every id issued: a skipped id is simply never used.
local PID_BLOCK = 16
local pid_next, pid_last, pid_wanted = 1, 0, 1
local function next_pid()
  if pid_next > pid_last then
    if not epoch_seen then need_epoch() end
    local n = math.max(1, math.min(PID_BLOCK, pid_wanted))
    pid_last = redis.call('INCRBY', 'mq:pseq', n)
    pid_next = pid_last - n + 1
  end
  local pid = pid_next
  pid_next = pid_next + 1
  return string.format('%d', pid)
end
-- History entries. A batch script collects them (batch_begin) and pushes them in one RPUSH with
-- their sequence numbers drawn in one INCRBY (batch_flush): same numbers, same order. It also
-- collects the new proposals' lease and rate entries and their users' `tpkey` entries (nothing
-- in the script reads them back), and its bucket writes per bucket (bucket_add, bucket_remove):
-- a pairing script reads a bucket only through `head`, which writes that bucket's first.
local hist_buffer, lease_buffer, rate_buffer, tp_buffer, zadd_buffer, zrem_buffer = nil, nil, nil, nil, nil, nil
local function add_all(command, key, values)
  for k = 1, #values, 1000 do redis.call(command, key, unpack(values, k, math.min(k + 999, #values))) end
end
local function push_all(key, values) add_all('RPUSH', key, values) end
local hist_now, hist_now_text = nil, nil
local function hist(uid, kind, now, pid, detail)
  -- A batch's entries share one time: turned into text once (the same text `..` gives).
  if now ~= hist_now then hist_now, hist_now_text = now, tostring(now) end
  local rest = '|' .. E .. '|' .. uid .. '|' .. kind .. '|' .. hist_now_text .. '|' .. (pid or '') .. '|' .. (detail or '')
  if hist_buffer then
    hist_buffer[#hist_buffer + 1] = rest
  else
    redis.call('RPUSH', 'mq:history', next_id('mq:hseq') .. rest)
  end
end
local function bucket_add(key, js, uid)
  if not zadd_buffer then return redis.call('ZADD', key, js, uid) end
  local list = zadd_buffer[key]
  if not list then list = {}; zadd_buffer[key] = list end
  list[#list + 1] = js
  list[#list + 1] = uid
end
local function bucket_remove(key, uid)
  if not zrem_buffer then return redis.call('ZREM', key, uid) end
  local list = zrem_buffer[key]
  if not list then list = {}; zrem_buffer[key] = list end
  list[#list + 1] = uid
end
-- The bucket's buffered removals, before the script reads it.
local function bucket_sync(key)
  local list = zrem_buffer and zrem_buffer[key]
  if list then add_all('ZREM', key, list); zrem_buffer[key] = nil end
end
-- Every batch script checks the marker (need_epoch, or the proposal id it draws) before its first write.
local function batch_begin()
  hist_buffer, lease_buffer, rate_buffer, tp_buffer, zadd_buffer, zrem_buffer = {}, {}, {}, {}, {}, {}
end
local function batch_flush()
  local n = #hist_buffer
  if n > 0 then
    if not epoch_seen then need_epoch() end
    local first = redis.call('INCRBY', 'mq:hseq', n) - n
    for k = 1, n do hist_buffer[k] = string.format('%d%s', first + k, hist_buffer[k]) end
    push_all('mq:history', hist_buffer)
  end
  if #lease_buffer > 0 then
    add_all('ZADD', P .. 'leases', lease_buffer)
    add_all('ZADD', P .. 'rate', rate_buffer)
  end
  for key, list in pairs(zadd_buffer) do add_all('ZADD', key, list) end
  for key, list in pairs(zrem_buffer) do add_all('ZREM', key, list) end
  if #tp_buffer > 0 then add_all('HSET', tpkey(), tp_buffer) end
  hist_buffer, lease_buffer, rate_buffer, tp_buffer, zadd_buffer, zrem_buffer = nil, nil, nil, nil, nil, nil
end
-- The event's rules the scripts need (one write per join call, not per ticket).
local function put_cfg(same_uni, accept_ms, max_wait_ms)
  redis.call('HSET', P .. 'cfg', 'same_uni', same_uni, 'accept_ms', accept_ms, 'max_wait_ms', max_wait_ms)
  redis.call('SADD', 'mq:events', E)
end
-- SMISMEMBER of many users in one call (chunks of 1000): {1|0, ...} in their order.
local function members(key, uids)
  local out = {}
  for k = 1, #uids, 1000 do
    local r = redis.call('SMISMEMBER', key, unpack(uids, k, math.min(k + 999, #uids)))
    for j = 1, #r do out[#out + 1] = r[j] end
  end
  return out
end
-- P .. 'xu': SET of the event's users who have (or had) an exclusion set mq:E:x:U, so a batch
-- of joins learns who needs the flag in one SMISMEMBER (an expired set leaves a harmless member).
local function note_excluded(...)
  redis.call('SADD', P .. 'xu', ...)
end
local NO_EXCLUSIONS = {}
-- A ticket in its bucket (the caller adds the user to P .. 'users'). `x` flags a user with an
-- exclusion set, so pairing checks the sets only for those (most students have no block and no
-- history in the event); `had_set`: the user is in P .. 'xu'.
-- The ticket hash is written once, here: its state lives in the bucket (waiting) or tpkey (proposed).
local function put_ticket(uid, js, g, s, u, i, card, excluded, had_set)
  local x = (#excluded > 0 or had_set) and '1' or '0'
  -- Redis finds a field of a small hash by walking the fields in this order: those read for every
  -- candidate come first.
  redis.call('HSET', tkey(uid), 'u', u, 'i', i, 'x', x, 'card', card, 'js', js, 'g', g, 's', s)
  bucket_add(bucket(g, s), js, uid)
  if #excluded > 0 then
    local xkey = P .. 'x:' .. uid
    redis.call('SADD', xkey, unpack(excluded))
    redis.call('EXPIRE', xkey, 172800)
    note_excluded(uid)
  end
end
-- The state of a held ticket: 'proposed' with its proposal id, or 'waiting'.
local function held_state(uid)
  local pid = redis.call('HGET', tpkey(), uid)
  if pid then return 'proposed', pid end
  return 'waiting', nil
end
local function requeue(uid, now, pid, detail)
  local t = redis.call('HMGET', tkey(uid), 'g', 's', 'js')
  if not t[1] then return false end
  redis.call('HDEL', tpkey(), uid)
  redis.call('ZADD', bucket(t[1], t[2]), t[3], uid)
  hist(uid, 'requeued', now, pid, detail)
  return true
end
-- Returns the ticket's original join score ('' when there was none): the caller records the wait.
local function drop(uid, kind, now, pid, detail)
  local t = redis.call('HMGET', tkey(uid), 'g', 's', 'js')
  if t[1] then redis.call('ZREM', bucket(t[1], t[2]), uid) end
  redis.call('DEL', tkey(uid))
  redis.call('HDEL', tpkey(), uid)
  redis.call('SREM', P .. 'users', uid)
  redis.call('ZREM', P .. 'gone', uid)
  hist(uid, kind, now, pid, detail)
  return t[3] or ''
end
local function flag_excluded(uid)
  if redis.call('EXISTS', tkey(uid)) == 1 then redis.call('HSET', tkey(uid), 'x', '1') end
end
local function exclude_pair(a, b)
  redis.call('SADD', P .. 'x:' .. a, b)
  redis.call('SADD', P .. 'x:' .. b, a)
  note_excluded(a, b)
  flag_excluded(a)
  flag_excluded(b)
end
local function close(pid)
  redis.call('HSET', pkey(pid), 'st', 'closed')
  redis.call('EXPIRE', pkey(pid), 3600)
  redis.call('ZREM', P .. 'leases', pid)
end
-- Per script call: user -> proposal id (false: waiting) of the users whose state the call knows.
-- A batch script reads its seekers' states in one HMGET (states_read); claim keeps them in step.
local pstate = {}
local function states_read(uids)
  for k = 1, #uids, 1000 do
    local chunk = {unpack(uids, k, math.min(k + 999, #uids))}
    local pids = redis.call('HMGET', tpkey(), unpack(chunk))
    for j = 1, #chunk do pstate[chunk[j]] = pids[j] or false end
  end
end
-- The tickets read in this script call (user -> ticket table, false: no ticket). A batch's
-- seekers scan the same bucket heads, so each ticket is read once per call; the only writes a
-- pairing script makes to a ticket go through claim, which keeps `seen` in step.
local seen = {}
-- The ticket of a seeker that waits; nil when it holds none or is in a proposal (its ticket is
-- then not read).
local function load_seeker(uid)
  local pid = pstate[uid]
  if pid == nil then pid = redis.call('HGET', tpkey(), uid) end
  if pid then return nil end
  local c = seen[uid]
  if c == nil then
    local t = redis.call('HMGET', tkey(uid), 'g', 's', 'u', 'i', 'js', 'x', 'card')
    -- A ticket written before the flag existed counts as flagged.
    c = t[1] and {id = uid, g = t[1], s = t[2], u = t[3], i = t[4] or ',', st = 'waiting', js = tonumber(t[5]),
      x = t[6] ~= '0', card = t[7]} or false
    seen[uid] = c
  end
  return c or nil
end
-- A member of bucket (g, s), so waiting: its ticket less the fields the bucket's key gives, and
-- its card, which the announcing worker needs if it is chosen. Its join score comes from the
-- ticket (the bucket's score is the same number): bucket heads are read without scores, which
-- Redis would print and Lua parse again for every member.
local function load_candidate(uid, g, s)
  local c = seen[uid]
  if c == nil then
    local t = redis.call('HMGET', tkey(uid), 'u', 'i', 'x', 'card', 'js')
    c = t[1] and {id = uid, g = g, s = s, u = t[1], i = t[2] or ',', st = 'waiting', js = tonumber(t[5]), x = t[3] ~= '0',
      card = t[4]} or false
    seen[uid] = c
  end
  return c or nil
end
-- The first members of each bucket read so far in this script call, in rank order: the next
-- read starts at rank #ids. claim removes its two users from them as it removes them from the
-- buckets, so they stay the bucket's first members (pairing scripts add nothing to a bucket).
local heads = {}
local function head(key, upto, chunk)
  local h = heads[key]
  if not h then h = {ids = {}, done = false}; heads[key] = h end
  local ids = h.ids
  local have = #ids
  if not h.done and have < upto then
    bucket_sync(key)
    local want = math.max(upto - have, chunk)
    local rows = redis.call('ZRANGE', key, have, have + want - 1)
    for k = 1, #rows do ids[have + k] = rows[k] end
    if #rows < want then h.done = true end
  end
  return h
end
local function head_remove(key, uid)
  local h = heads[key]
  if not h then return end
  local ids = h.ids
  for k = 1, #ids do
    if ids[k] == uid then
      table.remove(ids, k)
      return
    end
  end
end
"""
    + PAIRING_SCAN
    + r"""
-- The claim times of a pairing call as Redis writes a number argument ('%.17g'), turned into
-- text once per call rather than by every write.
local claim_now, claim_at, claim_lease_at = nil, nil, nil
local function claim_clock(now, lease_ms)
  claim_now, claim_at, claim_lease_at = now, string.format('%.17g', now), string.format('%.17g', now + lease_ms)
end
local function claimed(uid, pid)
  local c = seen[uid]
  if c then c.st = 'proposed' end
  pstate[uid] = pid
end
-- Only the batch scripts claim (batch_begin and claim_clock first).
local function claim(me, other)
  local pid = next_pid()
  local my_bucket, other_bucket = bucket(me.g, me.s), bucket(other.g, other.s)
  bucket_remove(my_bucket, me.id)
  bucket_remove(other_bucket, other.id)
  head_remove(my_bucket, me.id)
  head_remove(other_bucket, other.id)
  local n = #tp_buffer
  tp_buffer[n + 1], tp_buffer[n + 2], tp_buffer[n + 3], tp_buffer[n + 4] = me.id, pid, other.id, pid
  claimed(me.id, pid)
  claimed(other.id, pid)
  -- The answers (ra, rb) and the notified flag (n) are written when they happen: absent is not
  -- yet. Only an id issued again (a Redis gone back in time) finds the fields of its first use.
  if redis.call('HSET', pkey(pid), 'e', E, 'a', me.id, 'b', other.id, 'st', 'pending', 'at', claim_at) < 5 then
    redis.call('HSET', pkey(pid), 'ra', '0', 'rb', '0', 'n', '0')
  end
  n = #lease_buffer
  lease_buffer[n + 1], lease_buffer[n + 2] = claim_lease_at, pid
  rate_buffer[n + 1], rate_buffer[n + 2] = claim_at, pid
  local now = claim_now
  hist(me.id, 'proposed', now, pid)
  hist(other.id, 'proposed', now, pid)
  return pid
end
-- What the announcing worker needs, so it makes no further round trip: pid, a, b, cards.
local function announce_row(out, pid, me, other)
  out[#out + 1] = pid
  out[#out + 1] = me.id
  out[#out + 1] = other.id
  out[#out + 1] = me.card
  out[#out + 1] = other.card or redis.call('HGET', tkey(other.id), 'card')
end
"""
)
