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
 * ARGV[3]     identity "<field> <floor>", or "" for writes without one: the producer's
 *             meta-hash field "q:<created>:<ttl>:<random>" and its floor (see RECORD)
 * then six arguments per slug i, starting at j = 4 + (i − 1)·6:
 * ARGV[j]     number of chunk keys of the slug
 * ARGV[j+1]   sequence number of the slug's write ("0" = none)
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
${LUA_REGISTER}${LUA_IDENTITY}local write = ARGV[1] == 'w'
local q, floor = string.match(ARGV[3], '^(%S+) (%d+)$')
local marker = ARGV[2] ~= '0' and KEYS[#KEYS]
if marker and redis.call('EXISTS', marker) == 1 then return { 0 } end
local slugs, plan, base = (#ARGV - 3) / 6, {}, 1
local pattern = '(%d+) (%d+) (%d+) (%-?%d+)'
for i = 1, slugs do
  local j = 4 + (i - 1) * 6
  local meta = KEYS[base]
  local head = redis.call('HMGET', meta, 't', 'n', q or 'n')
  local p = { base = base, head = head, j = j }
  if q and ARGV[j + 1] ~= '0' then
    p.seq = tonumber(ARGV[j + 1])
    p.f, p.rest = ident_parse(head[3])
    p.skip = ident_dup(p.f, p.rest, p.seq)
  end
  if not p.skip and ARGV[j + 4] ~= '' then
    if outside(tonumber(head[1] or '0') + tonumber(ARGV[j + 2])) then return { 3, i } end
    if head[2] ~= '0' or ARGV[j + 3] == '1' then
      for k, field, _, by in string.gmatch(ARGV[j + 4], pattern) do
        local v = tonumber(redis.call('HGET', KEYS[base + tonumber(k)], field) or '0')
        if outside(v + tonumber(by)) then return { 3, i } end
      end
    end
  end
  plan[i] = p
  base = base + 1 + tonumber(ARGV[j])
end
if not write then return { 1 } end
if marker then redis.call('SET', marker, '1', 'PX', ARGV[2]) end
local out = { 1 }
for i = 1, slugs do
  local p = plan[i]
  local j, meta, t, n = p.j, KEYS[p.base], p.head[1], p.head[2]
  if not p.skip then
    if ARGV[j + 4] ~= '' then
      for k, field, exp, by in string.gmatch(ARGV[j + 4], pattern) do
        local key = KEYS[p.base + tonumber(k)]
        redis.call('HINCRBY', key, field, by)
        if exp ~= '0' then redis.call('PEXPIREAT', key, exp) end
      end
      redis.call('HINCRBY', meta, 't', ARGV[j + 2])
      if not t then
        redis.call('HSET', meta, 'n', ARGV[j + 3])
      elseif ARGV[j + 3] == '1' and n ~= '1' then
        redis.call('HSET', meta, 'n', '1')
      end
    end
    if p.seq then
      if not p.head[3] then ident_prune(meta, q) end
      redis.call('HSET', meta, q, ident_next(p.f, p.rest, p.seq, tonumber(floor), ARGV[j + 1]))
    end
    if ARGV[j + 5] ~= '' then
      register(meta, ARGV[j + 5])
    elseif not t and redis.call('HEXISTS', meta, 'g') == 0 then
      out[#out + 1] = i
    end
  end
end
return out
`;
