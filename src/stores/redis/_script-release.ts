/**
 * RELEASE: drop an unfinished report claim, never a sent marker.
 *
 * ```text
 * KEYS[1]  report claim key: <prefix>:{~rep}:r:<sha1(set)>:<period>
 * returns  1 when a claim was dropped, 0 when the key was absent or "sent"
 * ```
 * A plain DEL could erase the "sent" marker written by another process between
 * a GET and the DEL; the script checks and deletes in one step.
 */
export const RELEASE_SCRIPT = `-- tallyboard RELEASE (see _script-release.ts for KEYS)
if redis.call('GET', KEYS[1]) == 'claimed' then return redis.call('DEL', KEYS[1]) end
return 0
`;
