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
 * `MAX` is `Number.MAX_SAFE_INTEGER`: no bucket or total may leave
 * [-MAX, MAX]. Field `n` of the meta hash is "0" while no negative count was
 * ever added to the slug: then no bucket exceeds the total `t`, and checking
 * the total is enough; otherwise each bucket is read before writing.
 */
export const LUA_IDENTITY = `local MAX = 9007199254740991
local function outside(v) return v > MAX or v < -MAX end
local function ident_parse(st)
  if not st then return 0, nil end
  local a = string.find(st, ' ', 1, true)
  if not a then return tonumber(st), nil end
  return tonumber(string.sub(st, 1, a - 1)), string.sub(st, a + 1)
end
local function ident_dup(f, rest, seq)
  if seq <= f then return true end
  return rest ~= nil and string.find(' ' .. rest .. ' ', ' ' .. seq .. ' ', 1, true) ~= nil
end
local function ident_next(f, rest, seq, floor, seqtext)
  if floor > f then f = floor end
  if not rest then
    if seq == f + 1 then return seqtext end
    return string.format('%.0f %.0f', f, seq)
  end
  local ms = { seq }
  for m in string.gmatch(rest, '%d+') do ms[#ms + 1] = tonumber(m) end
  table.sort(ms)
  local keep = { '' }
  for i = 1, #ms do
    local m = ms[i]
    if m == f + 1 then f = m elseif m > f then keep[#keep + 1] = string.format('%.0f', m) end
  end
  return string.format('%.0f', f) .. table.concat(keep, ' ')
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
`;
