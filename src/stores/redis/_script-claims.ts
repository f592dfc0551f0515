/**
 * Report claim scripts. A claim key holds `claimed:<owner>` while a sender
 * holds it (with the lease as its expiry) and `sent` for good once the report
 * was delivered. Each script touches one key, so it runs on any Cluster node.
 *
 * CLAIM: take the claim unless it is held or sent.
 *
 * ```text
 * KEYS[1]  report claim key: <prefix>:{~rep}:r:<sha1(set)>:<period>
 * ARGV[1]  value of the claim: "claimed:" .. owner token
 * ARGV[2]  lease in milliseconds (the key's expiry; Redis's clock times it)
 * returns  "claimed" when this caller now holds it, "sent" when it was sent,
 *          "held" when another owner holds a live claim
 * ```
 */
export const CLAIM_SCRIPT = `-- tallyboard CLAIM (see _script-claims.ts for KEYS/ARGV)
local v = redis.call('GET', KEYS[1])
if v == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 'claimed'
end
if v == 'sent' then return 'sent' end
return 'held'
`;

/**
 * COMPLETE: mark a report sent, unless another owner holds it.
 *
 * ```text
 * KEYS[1]  report claim key
 * ARGV[1]  value of the caller's claim: "claimed:" .. owner token
 * returns  1 when the key now reads "sent" because of this call (the caller's
 *          claim, or no claim left after its lease ran out); 0 when another
 *          owner's claim or a "sent" marker was found (nothing changed)
 * ```
 */
export const COMPLETE_SCRIPT = `-- tallyboard COMPLETE (see _script-claims.ts for KEYS/ARGV)
local v = redis.call('GET', KEYS[1])
if v == false or v == ARGV[1] then
  redis.call('SET', KEYS[1], 'sent')
  return 1
end
return 0
`;

/**
 * RELEASE: drop the caller's own claim, never another owner's claim or a sent
 * marker (a plain DEL after a GET could erase either, written in between).
 *
 * ```text
 * KEYS[1]  report claim key
 * ARGV[1]  value of the caller's claim: "claimed:" .. owner token
 * returns  1 when the claim was dropped, 0 otherwise
 * ```
 */
export const RELEASE_SCRIPT = `-- tallyboard RELEASE (see _script-claims.ts for KEYS/ARGV)
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
