/**
 * Lua helpers shared by the write scripts: the idempotent-producer check and
 * the overflow bound.
 *
 * A producer (one store instance) numbers its writes with a sequence that
 * grows across all slugs, and sends with each write a floor: every sequence
 * number at or below it is settled on the client (answered, or given up), so
 * no copy of it may be applied any more. For each producer that wrote a slug,
 * the slug's meta hash keeps field `q:<producer>` =
 * `"<f> <ts> <s1> <s2> …"`: every sequence ≤ f, and each listed s, was applied
 * (or settled); ts is the producer's last write (epoch ms, its own clock).
 * A write whose sequence is ≤ f or listed is a duplicate (a re-sent or retried
 * copy) and changes nothing. The list holds only writes applied out of order,
 * so it stays as short as the number of this producer's writes in flight.
 * The first write of a producer to a slug drops the fields of producers silent
 * for longer than the identity time-to-live.
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
  local b = string.find(st, ' ', a + 1, true)
  return tonumber(string.sub(st, 1, a - 1)), b and string.sub(st, b + 1)
end
local function ident_dup(f, rest, seq)
  if seq <= f then return true end
  return rest ~= nil and string.find(' ' .. rest .. ' ', ' ' .. seq .. ' ', 1, true) ~= nil
end
local function ident_next(f, rest, seq, floor, now)
  if floor > f then f = floor end
  if not rest then
    if seq == f + 1 then return string.format('%.0f', seq) .. ' ' .. now end
    return string.format('%.0f', f) .. ' ' .. now .. ' ' .. string.format('%.0f', seq)
  end
  local ms = { seq }
  for m in string.gmatch(rest, '%d+') do ms[#ms + 1] = tonumber(m) end
  table.sort(ms)
  local keep = {}
  for i = 1, #ms do
    local m = ms[i]
    if m == f + 1 then f = m elseif m > f then keep[#keep + 1] = string.format('%.0f', m) end
  end
  local st = string.format('%.0f', f) .. ' ' .. now
  if #keep > 0 then st = st .. ' ' .. table.concat(keep, ' ') end
  return st
end
local function ident_prune(meta, now, ttl)
  local all = redis.call('HGETALL', meta)
  local oldest = tonumber(now) - tonumber(ttl)
  for i = 1, #all, 2 do
    local k = all[i]
    if string.sub(k, 1, 2) == 'q:' then
      local ts = tonumber(string.match(all[i + 1], '^%d+ (%d+)') or '0')
      if ts < oldest then redis.call('HDEL', meta, k) end
    end
  end
end
`;
