/**
 * READ: the counts of a run of chunks of one slug and granularity, plus the
 * granularities the slug stores, in one read-only call (allowed on replicas).
 *
 * ```text
 * KEYS[1]     meta hash of the slug: <prefix>:{<slug>}:m
 * KEYS[2..]   the chunk hashes to read, in order: <prefix>:{<slug>}:c:<code>:<chunk>
 * returns     { mask, counts }: mask = the slug's stored-granularity bits (field g),
 *             or -1 when the slug is not registered; counts = one string, the chunks
 *             in order separated by ";", each its HGETALL "field,value,field,value…"
 *             (an empty string for a missing chunk)
 * ```
 * Every key is declared, so Redis Cluster can redirect the call during a
 * reshard. Replies are built with RESP2 semantics (redis.setresp(2)): HGETALL
 * yields a flat array, joined in Lua so the client parses one bulk string.
 */
export const READ_SCRIPT = `#!lua flags=no-writes
-- tallyboard READ (see _script-read.ts for KEYS)
redis.setresp(2)
local parts = {}
for i = 2, #KEYS do
  parts[i - 1] = table.concat(redis.call('HGETALL', KEYS[i]), ',')
end
return { tonumber(redis.call('HGET', KEYS[1], 'g') or '-1'), table.concat(parts, ';') }
`;
