import { LUA_REGISTER } from "./_lua-register.js";

/**
 * RECORD: add one record's count to every granularity of one slug, in one call.
 *
 * ```text
 * KEYS[1]  meta hash of the slug: <prefix>:{<slug>}:m
 * ARGV[1]  by: integer to add (may be negative; "0" adds nothing and only registers)
 * ARGV[2]  chunk key prefix of the slug: <prefix>:{<slug>}:c:
 * ARGV[3]  increments, space-separated triples "<code>:<chunk> <field> <expireAt>":
 *          chunk key suffix, field 0..119 (bucket index − chunk·120), and the
 *          absolute expiry of the chunk in epoch milliseconds ("0" = keep forever)
 * ARGV[4]  optional registration "<mask>|<categories>|<groups>" (see LUA_REGISTER)
 * returns  1 when the slug is not registered (no field g) and ARGV[4] was not
 *          given, so the caller must register it (another process deleted it);
 *          otherwise 0. Field g is only looked up when the total was 0 before
 *          this call (a new or deleted meta hash), to keep the common path short.
 * ```
 * Every key lives under the slug's hash tag, so the call touches one Cluster slot.
 */
export const RECORD_SCRIPT = `-- tallyboard RECORD (see _script-record.ts for KEYS/ARGV)
${LUA_REGISTER}local meta, by = KEYS[1], ARGV[1]
local fresh = true
if by ~= '0' then
  local prefix = ARGV[2]
  for suffix, field, exp in string.gmatch(ARGV[3], '(%S+) (%d+) (%d+)') do
    local key = prefix .. suffix
    redis.call('HINCRBY', key, field, by)
    if exp ~= '0' then redis.call('PEXPIREAT', key, exp) end
  end
  fresh = redis.call('HINCRBY', meta, 't', by) == tonumber(by)
end
if ARGV[4] then
  register(meta, ARGV[4])
  return 0
end
if fresh and redis.call('HEXISTS', meta, 'g') == 0 then return 1 end
return 0
`;
