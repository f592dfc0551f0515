/**
 * Lua helpers shared by the write scripts: the idempotent-producer check and
 * the overflow bound.
 *
 * A producer (a store instance; it takes a new id every `batchTtl` / 2)
 * numbers its writes with a sequence that grows across all slugs, and sends
 * with each write a floor: every sequence number at or below it is settled on
 * the client (answered, or given up), so no copy of it may be applied any
 * more. For each producer that wrote a slug, the slug's meta hash keeps field
 * `q:<created>:<ttl>:<random>` = `"<f>"` or `"<f> <s1> <s2> …"`: every
 * sequence ≤ f, and each listed s, was applied (or settled). A write whose
 * sequence is ≤ f or listed is a duplicate (a re-sent or retried copy) and
 * changes nothing. The list holds only writes applied out of order, so it
 * stays as short as the producer's writes in flight. The field name says when
 * the producer was created and how long its state must be kept (seconds): the
 * first write of a producer to a slug drops the fields of producers created
 * longer ago than that.
 *
 * `ident_next(st, seq, seqtext, floor, floortext)` takes the stored state (or
 * nil), the write's sequence and the producer's floor (as numbers and as the
 * decimal text the client sent), and returns the state to store once the
 * write is applied, or nil when the write is a duplicate. The common cases —
 * nothing listed above the floor: a write in order, or one of several in
 * flight — build the new state from the texts sent, without sorting or
 * formatting; only a list above the floor takes the general path.
 *
 * `MAX` is `Number.MAX_SAFE_INTEGER`: no bucket or total may leave
 * [-MAX, MAX]. Field `n` of the meta hash is "0" while no negative count was
 * ever added to the slug: then no bucket exceeds the total `t`, and checking
 * the total is enough; otherwise each bucket is read before writing.
 */
export const LUA_IDENTITY = `local MAX = 9007199254740991
local function outside(v) return v > MAX or v < -MAX end
local function ident_merge(f, rest, seq)
  local ms = { seq }
  for m in string.gmatch(rest, '%d+') do
    m = tonumber(m)
    if m == seq then return nil end
    ms[#ms + 1] = m
  end
  table.sort(ms)
  local keep = { '' }
  for i = 1, #ms do
    local m = ms[i]
    if m == f + 1 then f = m elseif m > f then keep[#keep + 1] = string.format('%.0f', m) end
  end
  return string.format('%.0f', f) .. table.concat(keep, ' ')
end
local function ident_next(st, seq, seqtext, floor, floortext)
  local f, rest = 0, nil
  if st then
    local a = string.find(st, ' ', 1, true)
    if a then
      f, rest = tonumber(string.sub(st, 1, a - 1)), string.sub(st, a + 1)
    else
      f = tonumber(st)
    end
  end
  if seq <= f then return nil end
  if floor < f then floor, floortext = f, nil end
  if rest then
    if string.find(rest, ' ', 1, true) then return ident_merge(floor, rest, seq) end
    local r = tonumber(rest)
    if r == seq then return nil end
    if r > floor then return ident_merge(floor, rest, seq) end
  end
  if seq == floor + 1 then return seqtext end
  floortext = floortext or string.format('%.0f', floor)
  if seq <= floor then return floortext end
  return floortext .. ' ' .. seqtext
end
local function ident_prune(meta, q)
  local created, ttl = string.match(q, '^q:(%d+):(%d+):')
  local oldest = tonumber(created) - tonumber(ttl)
  local all = redis.call('HGETALL', meta)
  for i = 1, #all, 2 do
    local other = tonumber(string.match(all[i], '^q:(%d+):') or oldest)
    if other < oldest then redis.call('HDEL', meta, all[i]) end
  end
end
-- One HSET of the meta hash: the total t, the negative flag n and the
-- producer state q, each when the write changed it; a producer's first
-- write to the slug (known = nil) first drops expired producers' fields.
local function write_meta(meta, q, known, state, total, flag)
  if state then
    if not known then ident_prune(meta, q) end
    if not total then
      redis.call('HSET', meta, q, state)
    elseif flag then
      redis.call('HSET', meta, 't', total, 'n', flag, q, state)
    else
      redis.call('HSET', meta, 't', total, q, state)
    end
  elseif flag then
    redis.call('HSET', meta, 't', total, 'n', flag)
  elseif total then
    redis.call('HSET', meta, 't', total)
  end
end
`;
