/**
 * READ: the counts of a run of chunks of one slug and granularity, plus the
 * granularities the slug stores, in one read-only call (allowed on replicas).
 *
 * ```text
 * KEYS[1]  meta hash of the slug: <prefix>:{<slug>}:m
 * ARGV[1]  chunk key prefix with the granularity code: <prefix>:{<slug>}:c:<code>:
 * ARGV[2]  first chunk number (integer)
 * ARGV[3]  last chunk number (integer, >= ARGV[2])
 * returns  { mask, counts }: mask = the slug's stored-granularity bits (field g),
 *          or -1 when the slug is not registered; counts = one string, the chunks
 *          in order separated by ";", each its HGETALL "field,value,field,value…"
 *          (an empty string for a missing chunk)
 * ```
 * Replies are built with RESP2 semantics (redis.setresp(2)): HGETALL yields a
 * flat array, joined in Lua so the client parses one bulk string.
 */
export const READ_SCRIPT = `#!lua flags=no-writes
-- tallyboard READ (see _script-read.ts for KEYS/ARGV)
redis.setresp(2)
local prefix, first = ARGV[1], tonumber(ARGV[2])
local parts = {}
for c = first, tonumber(ARGV[3]) do
  parts[c - first + 1] = table.concat(redis.call('HGETALL', prefix .. c), ',')
end
return { tonumber(redis.call('HGET', KEYS[1], 'g') or '-1'), table.concat(parts, ';') }
`;
