import type { Bucket, Granularity } from "../../time/index.js";
import { CHUNK_SIZE, chunkSuffix } from "./keys.js";

/** The increments of one record, packed for the RECORD and BATCH scripts. */
export interface Packed {
  /** Chunk key suffixes `"<code>:<chunk>"`, one per granularity (appended to the slug's chunk prefix). */
  readonly suffixes: readonly string[];
  /** `"<field> <expireAt>"` of each suffix, in the same order. */
  readonly fieldExps: readonly string[];
  /** The field of each suffix, in the same order, each after a space: the tail of RECORD's ARGV[2]. */
  readonly fieldText: string;
  /** "" without retention, else the expiry of each chunk (epoch ms, "0" = keep): ARGV[4] of RECORD. */
  readonly expiries: string;
  /** Stored-granularity bits of the run (`1 << rank`). */
  readonly mask: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Longest length of a bucket, so a chunk never expires before its last bucket ends. */
const LONGEST: Record<Granularity, number> = {
  minutes: MINUTE,
  hours: HOUR,
  days: DAY + HOUR,
  weeks: 7 * DAY + HOUR,
  months: 31 * DAY + HOUR,
  years: 366 * DAY + HOUR,
};
const RANK: Record<Granularity, number> = { minutes: 0, hours: 1, days: 2, weeks: 3, months: 4, years: 5 };

/** Stored-granularity bits of a run of granularities. */
export function maskOf(granularities: readonly Granularity[]): number {
  let mask = 0;
  for (const g of granularities) mask |= 1 << RANK[g];
  return mask;
}

/** Registration argument `"<mask>|<categories>|<groups>"` of the write scripts. */
export function registrationSpec(
  mask: number,
  categories: Iterable<string>,
  groups: Iterable<string>,
): string {
  return `${mask}|${[...categories].join(" ")}|${[...groups].join(" ")}`;
}

/**
 * A packer with a cache: the core passes the same frozen `buckets` array for
 * every record of one minute, so the packed argument is built once per array
 * and granularity run, and found again by identity.
 *
 * @param retention retention in ms by granularity rank (undefined = keep)
 */
export function createPacker(
  retention: readonly (number | undefined)[],
): (buckets: readonly Bucket[], granularities: readonly Granularity[]) => Packed {
  const cache = new WeakMap<readonly Bucket[], (Packed | undefined)[]>();

  const pack = (buckets: readonly Bucket[], granularities: readonly Granularity[]): Packed => {
    const suffixes: string[] = [];
    const fieldExps: string[] = [];
    let fieldText = "";
    const expiries: number[] = [];
    for (const g of granularities) {
      const rank = RANK[g];
      const b = buckets[rank] as Bucket;
      const chunk = Math.floor(b.index / CHUNK_SIZE);
      const field = b.index - chunk * CHUNK_SIZE;
      const keep = retention[rank];
      // The chunk's last bucket ends at most (CHUNK_SIZE - field) longest buckets after b.start.
      const expireAt =
        keep === undefined ? 0 : Math.max(1, b.start + (CHUNK_SIZE - field) * LONGEST[g] + keep);
      suffixes.push(chunkSuffix(g, chunk));
      fieldExps.push(`${field} ${expireAt}`);
      fieldText += ` ${field}`;
      expiries.push(expireAt);
    }
    return {
      suffixes,
      fieldExps,
      fieldText,
      expiries: expiries.some((e) => e !== 0) ? expiries.join(" ") : "",
      mask: maskOf(granularities),
    };
  };

  return (buckets, granularities) => {
    const slot = RANK[granularities[0] as Granularity] * 6 + granularities.length - 1;
    let perRun = cache.get(buckets);
    if (perRun === undefined) {
      perRun = [];
      cache.set(buckets, perRun);
    }
    let packed = perRun[slot];
    if (packed === undefined) {
      packed = pack(buckets, granularities);
      perRun[slot] = packed;
    }
    return packed;
  };
}
