import { LUA_IDENTITY } from "./_lua-identity.js";
import { LUA_REGISTER } from "./_lua-register.js";

/**
 * RECORD: add one record's count to every granularity of one slug, at most
 * once, in one call.
 *
 * ```text
 * KEYS[1]     meta hash of the slug: <prefix>:{<slug>}:m
 * KEYS[2..]   the chunk hashes to add to: <prefix>:{<slug>}:c:<code>:<chunk>, one per granularity
 * ARGV[1]     the producer's meta-hash field "q:<created>:<ttl>:<random>" (see
 *             LUA_IDENTITY), or "" for a write without an identity
 * ARGV[2]     "<by> <seq> <floor>[ <field>]…": by, the integer to add (may be
 *             negative; "0" adds nothing and only registers); seq, this write's
 *             sequence number (≥ 1); floor, the producer's floor (every sequence
 *             ≤ it is settled) — both "0" without an identity; then the field of
 *             each chunk key, in KEYS order: 0..119 (bucket index − chunk·120)
 * ARGV[3]     optional: registration "<mask>|<categories>|<groups>" or "" (see LUA_REGISTER)
 * ARGV[4]     optional: "" to keep the chunks forever, or their absolute expiry times
 *             in epoch ms, space-separated, one per chunk key in KEYS order ("0" = keep that one)
 * returns     0 applied; 1 applied, but the slug is not registered (no field g) and
 *             ARGV[3] was empty or absent, so the caller must register it
 *             (another process deleted it); 2 a duplicate: already applied, nothing changed;
 *             { 3, i } refused, nothing changed: the total (i = 0) or the i-th
 *             chunk's bucket would leave ±(2^53 − 1)
 * ```
 * Every key is declared and lives under the slug's hash tag: the call touches
 * one Cluster slot, and Redis Cluster can redirect it (ASK/MOVED/TRYAGAIN).
 */
export const RECORD_SCRIPT = `-- tallyboard RECORD (see _script-record.ts for KEYS/ARGV)
local meta, q = KEYS[1], ARGV[1]
local bytext, seqtext, floortext, fields = string.match(ARGV[2], '^(%-?%d+) (%d+) (%d+)(.*)$')
local by, spec, exps = tonumber(bytext), ARGV[3] or '', ARGV[4] or ''
local head = redis.call('HMGET', meta, 't', 'n', q ~= '' and q or 'n')
local t, n, st = head[1], head[2], head[3]
-- Add by to each chunk's field, and set the chunks' expiry times (both paths).
local function add_counts()
  local i = 1
  for field in string.gmatch(fields, '%d+') do
    i = i + 1
    redis.call('HINCRBY', KEYS[i], field, bytext)
  end
  if exps ~= '' then
    i = 1
    for exp in string.gmatch(exps, '%d+') do
      i = i + 1
      if exp ~= '0' then redis.call('PEXPIREAT', KEYS[i], exp) end
    end
  end
end
-- The common case, without the identity and registration helpers: a positive
-- count to a registered slug that never had a negative one, from a producer
-- that wrote it before and has nothing listed above its floor
-- (LUA_IDENTITY's in-order cases).
if by > 0 and n == '0' and t and st and spec == '' and q ~= '' and not string.find(st, ' ', 1, true) then
  local f, seq, floor = tonumber(st), tonumber(seqtext), tonumber(floortext)
  if seq <= f then return 2 end
  if floor < f then floor, floortext = f, st end
  local state = seqtext
  if seq <= floor then state = floortext elseif seq > floor + 1 then state = floortext .. ' ' .. seqtext end
  local total = tonumber(t) + by
  if total > 9007199254740991 then return { 3, 0 } end
  add_counts()
  -- total <= MAX, so the double holds it exactly.
  redis.call('HSET', meta, 't', string.format('%.0f', total), q, state)
  return 0
end
-- Every other case. The identity and registration helpers are defined here,
-- so the common case does not create them on each call.
${LUA_REGISTER}${LUA_IDENTITY}local state
if q ~= '' then
  state = ident_next(st, tonumber(seqtext), seqtext, tonumber(floortext), floortext)
  if not state then return 2 end
end
local total, flag
if by ~= 0 then
  total = tonumber(t or '0') + by
  if outside(total) then return { 3, 0 } end
  if by < 0 or n ~= '0' then
    local i = 1
    for field in string.gmatch(fields, '%d+') do
      i = i + 1
      if outside(tonumber(redis.call('HGET', KEYS[i], field) or '0') + by) then return { 3, i - 1 } end
    end
  end
  add_counts()
  -- |total| <= MAX, so the double holds it exactly.
  total = string.format('%.0f', total)
  if not t or (by < 0 and n ~= '1') then flag = by < 0 and '1' or '0' end
end
write_meta(meta, q, st, state, total, flag)
if spec ~= '' then
  register(meta, spec)
  return 0
end
if not t and redis.call('HEXISTS', meta, 'g') == 0 then return 1 end
return 0
`;
