/**
 * The raw reference subjects, on a plain ioredis client:
 * - raw INCR: one unpipelined `INCR` per event, the round-trip ceiling;
 * - (e) raw EVALSHA: one script call doing the HINCRBYs of one tallyboard
 *   record (hours, days, weeks, months and years chunk hashes plus a total),
 *   with keys and fields computed once per time bucket — the floor for that work;
 * - (f) raw MGET of a slug's hourly (daily, monthly) string keys, the peer's layout.
 */
import { createHash } from "node:crypto";
import { Redis } from "ioredis";
import { type Bucket, createCalendar } from "../src/time/index.js";

/**
 * The floor script.
 * KEYS[1..n]: hashes to increment; ARGV[1]: amount; ARGV[i + 1]: field in KEYS[i].
 * Returns 1.
 */
export const FLOOR_SCRIPT = `local by = ARGV[1]
for i = 1, #KEYS do redis.call('HINCRBY', KEYS[i], ARGV[i + 1], by) end
return 1`;

export const FLOOR_SHA = createHash("sha1").update(FLOOR_SCRIPT).digest("hex");

/** Chunk size: consecutive buckets per hash (as in the tallyboard Redis layout). */
const CHUNK = 120;
const CODES = ["h", "d", "w", "mo", "y"] as const;

/** A plain ioredis client; connection errors surface as rejected commands only (quiet on Ctrl-C). */
export function rawClient(url: string): Redis {
  const client = new Redis(url);
  client.on("error", () => {});
  return client;
}

/** Load the floor script; returns its SHA. */
export async function loadFloor(client: Redis): Promise<string> {
  const sha = String(await client.script("LOAD", FLOOR_SCRIPT));
  if (sha !== FLOOR_SHA) throw new Error(`floor script SHA ${sha} differs from ${FLOOR_SHA}`);
  return sha;
}

/**
 * A function that records one event at `now()` for `slug` with one EVALSHA:
 * HINCRBY on the hours, days, weeks, months and years chunk of the event plus
 * the slug's total. The argument array is rebuilt only when the minute changes.
 */
export function floorRecorder(
  client: Redis,
  slug: string,
  now: () => number = Date.now,
): () => Promise<unknown> {
  const calendar = createCalendar({ timezone: "UTC", weekStart: "monday" });
  let cachedFor: readonly Bucket[] | undefined;
  let args: (string | number)[] = [];
  return () => {
    const buckets = calendar.bucketsAt(now());
    if (buckets !== cachedFor) {
      cachedFor = buckets;
      const keys: string[] = [];
      const fields: string[] = [];
      CODES.forEach((code, k) => {
        const index = (buckets[k + 1] as Bucket).index;
        const chunk = Math.floor(index / CHUNK);
        keys.push(`floor:{${slug}}:c:${code}:${chunk}`);
        fields.push(String(index - chunk * CHUNK));
      });
      keys.push(`floor:{${slug}}:m`);
      fields.push("t");
      args = [FLOOR_SHA, keys.length, ...keys, 1, ...fields];
    }
    return client.evalsha(...(args as [string, number, ...(string | number)[]]));
  };
}

/** A function doing one unpipelined `INCR key`. */
export function incrRecorder(client: Redis, key: string): () => Promise<unknown> {
  return () => client.incr(key);
}

/** Digits of the peer's key suffix per granularity: YYYYMMDDHH, YYYYMMDD, YYYYMM. */
const PEER_DIGITS = { hours: 10, days: 8, months: 6 } as const;

/** The peer's string key of `slug` for the hour, day or month holding `t` (UTC). */
export function peerKey(slug: string, granularity: keyof typeof PEER_DIGITS, t: number): string {
  const iso = new Date(t).toISOString(); // 2024-05-01T13:00:00.000Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}`;
  return `c:${slug}:${stamp.slice(0, PEER_DIGITS[granularity])}`;
}

/** The peer's hourly key of `slug` for the hour starting at `t` (UTC). */
export function peerHourKey(slug: string, t: number): string {
  return peerKey(slug, "hours", t);
}
