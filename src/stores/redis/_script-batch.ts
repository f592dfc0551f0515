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
 * ARGV[4+i]   slug i of the part, one argument:
 *             "<n> <seq> <total> <negative>[ <k> <field> <expireAt> <by>]…[|<registration>]"
 *             n: number of chunk keys of the slug; seq: sequence number of the slug's
 *             write ("0" = none); total: integer to add to the all-time total (field t);
 *             negative: "1" when a record of the slug has a negative count, else "0";
 *             then the increments: the k-th chunk key of the slug, field 0..119,
 *             expiry in epoch ms ("0" = keep forever), a non-zero integer; last,
 *             after "|", the registration "<mask>|<categories>|<groups>" when the
 *             slug is registered by this write (see LUA_REGISTER)
 * returns     { 1, i… } applied (or, in check mode, would apply), then the index i
 *             of every slug found unregistered without a registration, which the
 *             caller must register; { 0 } applied before, nothing changed: the
 *             marker exists, or every slug's sequence number was applied before;
 *             { 3, i } refused, nothing changed: a bucket or the total of slug i
 *             would leave ±(2^53 − 1)
 * ```
 * On Redis Cluster a part holds one slug, so the call touches one slot.
 */
export const BATCH_SCRIPT = `-- tallyboard BATCH (see _script-batch.ts for KEYS/ARGV)
${LUA_REGISTER}${LUA_IDENTITY}local write, q = ARGV[1] == 'w', ARGV[3]
local floor, floortext = tonumber(ARGV[4]), ARGV[4]
local marker = ARGV[2] ~= '0' and KEYS[#KEYS]
if marker and redis.call('EXISTS', marker) == 1 then return { 0 } end
local slugs, base = #ARGV - 4, 1
-- Per slug: its first key, HMGET reply, identity state to store (false without
-- one, true for a duplicate), new total, increments, negative flag, registration.
local bases, heads, states, totals, incs, negs, specs = {}, {}, {}, {}, {}, {}, {}
local pattern = '(%d+) (%d+) (%d+) (%-?%d+)'
-- First every check, then every write: a part is all or nothing.
for i = 1, slugs do
  local n, seq, add, neg, rest = string.match(ARGV[4 + i], '^(%d+) (%d+) (%-?%d+) ([01])(.*)$')
  local bar = string.find(rest, '|', 1, true)
  if bar then specs[i], rest = string.sub(rest, bar + 1), string.sub(rest, 1, bar - 1) end
  local meta = KEYS[base]
  local head = redis.call('HMGET', meta, 't', 'n', q ~= '' and q or 'n')
  local state = false
  if q ~= '' and seq ~= '0' then
    state = ident_next(head[3], tonumber(seq), seq, floor, floortext) or true
  end
  if state ~= true and rest ~= '' then
    local total = tonumber(head[1] or '0') + tonumber(add)
    if outside(total) then return { 3, i } end
    if head[2] ~= '0' or neg == '1' then
      for k, field, _, by in string.gmatch(rest, pattern) do
        local v = tonumber(redis.call('HGET', KEYS[base + tonumber(k)], field) or '0')
        if outside(v + tonumber(by)) then return { 3, i } end
      end
    end
    totals[i], incs[i] = total, rest
  end
  bases[i], heads[i], states[i], negs[i] = base, head, state, neg
  base = base + 1 + tonumber(n)
end
if not write then return { 1 } end
if marker then redis.call('SET', marker, '1', 'PX', ARGV[2]) end
local out, applied = { 1 }, false
for i = 1, slugs do
  local base, head, state, total, flag = bases[i], heads[i], states[i], totals[i], nil
  local meta, t, n = KEYS[base], head[1], head[2]
  if state ~= true then
    applied = true
    if total then
      for k, field, exp, by in string.gmatch(incs[i], pattern) do
        local key = KEYS[base + tonumber(k)]
        redis.call('HINCRBY', key, field, by)
        if exp ~= '0' then redis.call('PEXPIREAT', key, exp) end
      end
      -- |total| <= MAX, so the double holds it exactly.
      total = string.format('%.0f', total)
      if not t then
        flag = negs[i]
      elseif negs[i] == '1' and n ~= '1' then
        flag = '1'
      end
    end
    write_meta(meta, q, head[3], state, total, flag)
    if specs[i] then
      register(meta, specs[i])
    elseif not t and redis.call('HEXISTS', meta, 'g') == 0 then
      out[#out + 1] = i
    end
  end
end
-- Every slug a duplicate: nothing was written, like a batch whose marker exists.
if not applied then return { 0 } end
return out
`;
