import { LUA_REGISTER } from "./_lua-register.js";

/**
 * BATCH: apply one part of a batch (the records of one or more slugs) at most
 * once, guarded by a marker key written in the same script.
 *
 * ```text
 * KEYS[1..n]  meta hash of each slug of the part: <prefix>:{<slug>}:m
 * KEYS[n+1]   exactly-once marker of the part (only when ARGV[1] ~= "0")
 * ARGV[1]     marker time-to-live in milliseconds; "0" = no batch id, always apply
 * then four arguments per slug i, starting at j = 2 + (i − 1)·4:
 * ARGV[j]     chunk key prefix of the slug: <prefix>:{<slug>}:c:
 * ARGV[j+1]   integer to add to the slug's all-time total (field t)
 * ARGV[j+2]   increments, space-separated quadruples "<code>:<chunk> <field> <expireAt> <by>"
 *             (expireAt in epoch ms, "0" = keep forever; by a non-zero integer)
 * ARGV[j+3]   registration "<mask>|<categories>|<groups>" or "" (see LUA_REGISTER)
 * returns     { applied, i… }: applied is 1, or 0 when the marker already existed
 *             (nothing was changed); then the index i of every slug that was not
 *             registered and got no registration, which the caller must register
 * ```
 * On Redis Cluster a part holds one slug, so the call touches one slot.
 */
export const BATCH_SCRIPT = `-- tallyboard BATCH (see _script-batch.ts for KEYS/ARGV)
${LUA_REGISTER}local n = #KEYS
if ARGV[1] ~= '0' then
  n = n - 1
  if not redis.call('SET', KEYS[n + 1], '1', 'NX', 'PX', ARGV[1]) then return {0} end
end
local out = {1}
for i = 1, n do
  local j, meta = 2 + (i - 1) * 4, KEYS[i]
  local prefix = ARGV[j]
  for suffix, field, exp, by in string.gmatch(ARGV[j + 2], '(%S+) (%d+) (%d+) (%-?%d+)') do
    local key = prefix .. suffix
    redis.call('HINCRBY', key, field, by)
    if exp ~= '0' then redis.call('PEXPIREAT', key, exp) end
  end
  if ARGV[j + 1] ~= '0' then redis.call('HINCRBY', meta, 't', ARGV[j + 1]) end
  if ARGV[j + 3] ~= '' then
    register(meta, ARGV[j + 3])
  elseif redis.call('HEXISTS', meta, 'g') == 0 then
    out[#out + 1] = i
  end
end
return out
`;
