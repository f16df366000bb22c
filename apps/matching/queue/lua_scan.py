"""Lua of a pairing scan, part of the prelude (lua_prelude.py): who can be a seeker's partner and
which one the tie-break picks. It runs for every candidate of every seeker, the hot path of the
pairing scripts, so the candidate loop and the tie-break are each written out in one function.

Uses the prelude's P, bucket, head, seen and load_candidate.
"""

PAIRING_SCAN = r"""
-- A ticket's interests are a bit mask written at join (tickets.interest_mask): 31-bit words,
-- ':'-separated, interest id n at bit n % 31 of word n // 31. Turned into numbers once per
-- script call (its ticket is read once too, and the seekers of a batch look at the same few
-- candidates); shared interests are the set bits of the words' AND.
local band = bit.band
local function interest_words(t)
  -- Up to 31 interest ids the mask is one word: a number as it stands.
  local one = tonumber(t.i)
  local words = {one}
  if not one then
    for w in string.gmatch(t.i, '%d+') do words[#words + 1] = tonumber(w) end
  end
  t.iw = words
  return words
end
local SEEK = {'M', 'F', 'FM'}
local same_uni_ok = nil
local function same_uni_allowed()
  if same_uni_ok == nil then same_uni_ok = redis.call('HGET', P .. 'cfg', 'same_uni') ~= '0' end
  return same_uni_ok
end
-- The buckets that can hold a partner of a (gender, seeking) seeker, as {gender, seeking}
-- pairs: the candidate's gender in the seeker's seeking, the seeker's gender in theirs.
local sources_by = {}
local function sources_of(g, s)
  local by_seeking = sources_by[g]
  if not by_seeking then by_seeking = {}; sources_by[g] = by_seeking end
  local list = by_seeking[s]
  if not list then
    list = {}
    for g2 in string.gmatch(s, '.') do
      for _, s2 in ipairs(SEEK) do
        if string.find(s2, g, 1, true) then list[#list + 1] = {g2, s2} end
      end
    end
    by_seeking[s] = list
  end
  return list
end
-- A seeker's candidates ({c = ticket, js = join score}), in tables kept for the whole call.
local found, found_pool = {}, {}
-- Up to `ties` compatible candidates of one bucket, oldest first, among its first `depth`
-- members and no younger than `oldest` + `window` (read in chunks: most heads are compatible).
-- A member is another user waiting in a bucket that find_partner chose for `me` (its gender is
-- in my seeking and its seeking holds my gender by the bucket's key): only the university and
-- the exclusions (both ways) remain to check. This loop runs for every candidate of every
-- seeker, so it is written out in one function.
local function bucket_candidates(me, g, s, depth, ties, window, oldest)
  local key, same_uni = bucket(g, s), same_uni_allowed()
  local my_id, my_u = me.id, me.u
  local my_xkey = me.x and (P .. 'x:' .. my_id)
  local taken, start = 0, 0
  while start < depth and taken < ties do
    local stop = start + ties
    if stop > depth then stop = depth end
    local ids = head(key, stop, ties).ids
    local last = #ids
    if last > stop then last = stop end
    for r = start + 1, last do
      local uid = ids[r]
      -- Its ticket, read once per call (a member without one, or myself, is passed over).
      local c = uid ~= my_id and (seen[uid] or load_candidate(uid, g, s))
      if c then
        local score = c.js
        if oldest and score > oldest + window then return oldest end
        if c.st == 'waiting' and (same_uni or c.u ~= my_u)
          and not (my_xkey and redis.call('SISMEMBER', my_xkey, uid) == 1)
          and not (c.x and redis.call('SISMEMBER', P .. 'x:' .. uid, my_id) == 1) then
          if not oldest or score < oldest then oldest = score end
          local n = #found + 1
          local f = found_pool[n]
          if not f then f = {}; found_pool[n] = f end
          f.c, f.js = c, score
          found[n] = f
          taken = taken + 1
          if taken >= ties then return oldest end
        end
      end
    end
    if #ids < stop then return oldest end
    start = stop
  end
  return oldest
end
-- The longest-waiting compatible candidate; among the `ties` oldest compatible ones that joined
-- within `window` ms of it, the largest interest overlap (then the longer wait) wins.
local function by_score(x, y) return x.js < y.js end
local function find_partner(me, depth, window, ties)
  for k = #found, 1, -1 do found[k] = nil end
  local oldest = nil
  local sources, buckets = 0, sources_of(me.g, me.s)
  for q = 1, #buckets do
    local before = #found
    oldest = bucket_candidates(me, buckets[q][1], buckets[q][2], depth, ties, window, oldest)
    if #found > before then sources = sources + 1 end
  end
  if #found == 0 then return nil end
  -- One bucket's candidates come in rank order already.
  if sources > 1 then table.sort(found, by_score) end
  local mine = me.iw or interest_words(me)
  local words = #mine
  local best, best_overlap = nil, -1
  for k = 1, math.min(ties, #found) do
    local f = found[k]
    if f.js <= oldest + window then
      local theirs = f.c.iw or interest_words(f.c)
      local overlap, shared_words = 0, #theirs
      if shared_words > words then shared_words = words end
      for w = 1, shared_words do
        local both = band(mine[w], theirs[w])
        while both ~= 0 do both = band(both, both - 1); overlap = overlap + 1 end
      end
      if overlap > best_overlap or (overlap == best_overlap and f.js < best.js) then best, best_overlap = f, overlap end
    end
  end
  return best and best.c or nil
end
"""
