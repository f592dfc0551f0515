/**
 * STAGE: take a chunk out of the live key space for archiving, or find the
 * chunk a crashed archive run took out before.
 *
 * ```text
 * KEYS[1]  the chunk hash: <prefix>:{<slug>}:c:<code>:<chunk>
 * KEYS[2]  its staged name: <prefix>:{<slug>}:a:<code>:<chunk>
 * ARGV[1]  a new archive token (random hex), used only when the chunk is renamed now
 * returns  the token of the staged chunk: the one already there (a rerun after a
 *          crash), else ARGV[1] after RENAME KEYS[1] → KEYS[2]; false when there
 *          is neither a staged chunk nor a chunk
 * ```
 * Both keys carry the slug's hash tag, so the call touches one Cluster slot. A
 * record that arrives for the chunk after the rename recreates KEYS[1]; the
 * next archive run moves it.
 */
export const STAGE_SCRIPT = `-- tallyboard STAGE (see _script-stage.ts for KEYS/ARGV)
local staged = redis.call('HGET', KEYS[2], '_id')
if staged then return staged end
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('PERSIST', KEYS[2])
redis.call('HSET', KEYS[2], '_id', ARGV[1])
return ARGV[1]
`;
