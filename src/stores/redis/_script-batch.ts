import { LUA_IDENTITY } from "./_lua-identity.js";
import { LUA_REGISTER } from "./_lua-register.js";

/**
 * BATCH: apply one part of a batch (the summed records of one or more slugs)
 * all or nothing, and at most once: guarded by a marker key (a batch with an
 * id) or by the producer's sequence number of each slug (see LUA_IDENTITY).
 * Every bound is checked before the first write, so a part that would
 * overflow changes nothing. In check mode it only runs the checks.
 *
 * ```text
 * KEYS        for each slug i of the part: its meta hash <prefix>:{<slug>}:m, then
 *             its chunk hashes <prefix>:{<slug>}:c:<code>:<chunk>; last, the part's
 *             exactly-once marker when ARGV[2] ~= "0"
 * ARGV[1]     "w" to write, "c" to check only (nothing is written)
 * ARGV[2]     marker time-to-live in milliseconds; "0" = no marker
 * ARGV[3]     the producer's meta-hash field "q:<created>:<ttl>:<random>" (see
 *             LUA_IDENTITY), or "" for writes without an identity
 * ARGV[4]     the producer's floor in decimal (see RECORD); ignored when ARGV[3] is ""
 * then six arguments per slug i, starting at j = 5 + (i − 1)·6:
 * ARGV[j]     number of chunk keys of the slug
 * ARGV[j+1]   sequence number of the slug's write in decimal ("0" = none)
 * ARGV[j+2]   integer to add to the slug's all-time total (field t)
 * ARGV[j+3]   "1" when a record of the slug has a negative count, else "0"
 * ARGV[j+4]   increments, space-separated quadruples "<k> <field> <expireAt> <by>":
 *             the k-th chunk key of the slug, field 0..119, expiry in epoch ms
 *             ("0" = keep forever), a non-zero integer
 * ARGV[j+5]   registration "<mask>|<categories>|<groups>" or "" (see LUA_REGISTER)
 * returns     { 1, i… } applied (or, in check mode, would apply), then the index i
 *             of every slug found unregistered without a registration, which the
 *             caller must register; { 0 } the marker exists: applied before, nothing
 *             changed; { 3, i } refused, nothing changed: a bucket or the total of
 *             slug i would leave ±(2^53 − 1)
 * ```
 * On Redis Cluster a part holds one slug, so the call touches one slot.
 */
export const BATCH_SCRIPT = `-- tallyboard BATCH (see _script-batch.ts for KEYS/ARGV)
${LUA_REGISTER}${LUA_IDENTITY}local write, q = ARGV[1] == 'w', ARGV[3]
local floor, floortext = tonumber(ARGV[4]), ARGV[4]
local marker = ARGV[2] ~= '0' and KEYS[#KEYS]
if marker and redis.call('EXISTS', marker) == 1 then return { 0 } end
local slugs, heads, states, totals, base = (#ARGV - 4) / 6, {}, {}, {}, 1
local pattern = '(%d+) (%d+) (%d+) (%-?%d+)'
-- First every check, then every write: a part is all or nothing.
-- states[i]: the identity state to store, false without one, true for a duplicate.
for i = 1, slugs do
  local j = 5 + (i - 1) * 6
  local meta = KEYS[base]
  local head = redis.call('HMGET', meta, 't', 'n', q ~= '' and q or 'n')
  local state = false
  if q ~= '' and ARGV[j + 1] ~= '0' then
    state = ident_next(head[3], tonumber(ARGV[j + 1]), ARGV[j + 1], floor, floortext) or true
  end
  if state ~= true and ARGV[j + 4] ~= '' then
    local total = tonumber(head[1] or '0') + tonumber(ARGV[j + 2])
    if outside(total) then return { 3, i } end
    totals[i] = total
    if head[2] ~= '0' or ARGV[j + 3] == '1' then
      for k, field, _, by in string.gmatch(ARGV[j + 4], pattern) do
        local v = tonumber(redis.call('HGET', KEYS[base + tonumber(k)], field) or '0')
        if outside(v + tonumber(by)) then return { 3, i } end
      end
    end
  end
  heads[i], states[i] = head, state
  base = base + 1 + tonumber(ARGV[j])
end
if not write then return { 1 } end
if marker then redis.call('SET', marker, '1', 'PX', ARGV[2]) end
local out = { 1 }
base = 1
for i = 1, slugs do
  local j, head, state = 5 + (i - 1) * 6, heads[i], states[i]
  local meta, t, n = KEYS[base], head[1], head[2]
  if state ~= true then
    local total, flag = totals[i], nil
    if total then
      for k, field, exp, by in string.gmatch(ARGV[j + 4], pattern) do
        local key = KEYS[base + tonumber(k)]
        redis.call('HINCRBY', key, field, by)
        if exp ~= '0' then redis.call('PEXPIREAT', key, exp) end
      end
      -- |total| <= MAX, so the double holds it exactly.
      total = string.format('%.0f', total)
      if not t then
        flag = ARGV[j + 3]
      elseif ARGV[j + 3] == '1' and n ~= '1' then
        flag = '1'
      end
    end
    if state then
      if not head[3] then ident_prune(meta, q) end
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
    if ARGV[j + 5] ~= '' then
      register(meta, ARGV[j + 5])
    elseif not t and redis.call('HEXISTS', meta, 'g') == 0 then
      out[#out + 1] = i
    end
  end
  base = base + 1 + tonumber(ARGV[j])
end
return out
`;
