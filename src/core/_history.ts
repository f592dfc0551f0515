import { MetricsError } from "../errors.js";
import { keptFrom } from "../stores/_retention.js";
import type { Store } from "../stores/types.js";
import { type Bucket, type Calendar, type Granularity, nestsIn, rankOf } from "../time/index.js";

/** Most fine buckets read to answer a coarser granularity that was not stored. */
const MAX_FINE_POINTS = 2_000_000;

/**
 * Counts of `slug` for `buckets` of `granularity`. When the slug did not store
 * that granularity, sums the nearest finer stored one that nests in it; when
 * none does, `E_GRANULARITY_NOT_RECORDED`. An unknown slug reads as zeros.
 * Buckets older than the store's retention at `now` read as 0, whatever the
 * store still holds (Redis expires whole chunks a little later; Postgres
 * deletes on prune), so every store answers alike.
 */
export async function readCounts(
  store: Store,
  calendar: Calendar,
  slug: string,
  granularity: Granularity,
  buckets: readonly Bucket[],
  now: number = Date.now(),
): Promise<number[]> {
  const expire = (g: Granularity, read: readonly Bucket[], counts: number[]): number[] => {
    const from = keptFrom(calendar, store.retention, g, now);
    if (from === undefined) return counts;
    for (let i = 0; i < read.length && (read[i] as Bucket).start < from; i++) counts[i] = 0;
    return counts;
  };
  const result = await store.read({ slug, granularity, buckets });
  if (result.stored === null || result.stored.includes(granularity))
    return expire(granularity, buckets, result.counts);
  const finer = result.stored.filter((g) => nestsIn(g, granularity)).sort((a, b) => rankOf(b) - rankOf(a))[0];
  if (!finer) {
    throw new MetricsError(
      "E_GRANULARITY_NOT_RECORDED",
      `Slug "${slug}" stores ${result.stored.join(", ")}; none of them gives ${granularity}`,
    );
  }
  const first = buckets[0] as Bucket;
  const last = buckets[buckets.length - 1] as Bucket;
  const end = calendar.next(granularity, last).start;
  const fine = calendar.range(finer, first.start, end - 1, MAX_FINE_POINTS);
  const fineResult = await store.read({ slug, granularity: finer, buckets: fine });
  expire(finer, fine, fineResult.counts);
  const counts = new Array<number>(buckets.length).fill(0);
  let j = 0;
  for (let i = 0; i < fine.length; i++) {
    const start = (fine[i] as Bucket).start;
    while (j + 1 < buckets.length && (buckets[j + 1] as Bucket).start <= start) j++;
    counts[j] = (counts[j] as number) + (fineResult.counts[i] ?? 0);
  }
  return counts;
}
