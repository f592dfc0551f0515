import { MetricsError } from "../errors.js";
import { keptFrom } from "../stores/_retention.js";
import type { ReadQuery, ReadResult, Store } from "../stores/types.js";
import { type Bucket, type Calendar, type Granularity, nestsIn, rankOf } from "../time/index.js";
import type { HistoryRow } from "./types.js";

/** Most fine buckets read to answer a coarser granularity that was not stored. */
const MAX_FINE_POINTS = 2_000_000;

/** How a batch of store reads is sent: one `read()` per query, or one `readMany()`. */
type Reader = (queries: readonly ReadQuery[]) => Promise<ReadResult[]>;

/** Each query by its own `store.read()`, all in flight at once. */
export const readEach =
  (store: Store): Reader =>
  (queries) =>
    Promise.all(queries.map((q) => store.read(q)));

/** One `store.readMany()` for the whole batch, or {@link readEach} on a store without it. */
export const readBatched = (store: Store): Reader => {
  const many = store.readMany;
  return many ? (queries) => (queries.length ? many(queries) : Promise.resolve([])) : readEach(store);
};

/**
 * Counts of `slug` for `buckets` of `granularity`, one answer per query, in
 * order. When a slug did not store that granularity, sums the nearest finer
 * stored one that nests in it (read in a second batch, for every such query at
 * once); when none does, `E_GRANULARITY_NOT_RECORDED`. An unknown slug reads as
 * zeros. Buckets older than the store's retention at `now` read as 0, whatever
 * the store still holds (Redis expires whole chunks a little later; Postgres
 * deletes on prune), so every store answers alike.
 */
export async function readCountsMany(
  store: Store,
  calendar: Calendar,
  queries: readonly ReadQuery[],
  now: number,
  read: Reader = readBatched(store),
): Promise<number[][]> {
  const expire = (g: Granularity, buckets: readonly Bucket[], counts: number[]): number[] => {
    const from = keptFrom(calendar, store.retention, g, now);
    if (from === undefined) return counts;
    for (let i = 0; i < buckets.length && (buckets[i] as Bucket).start < from; i++) counts[i] = 0;
    return counts;
  };
  const results = await read(queries);
  const out: number[][] = [];
  const fineQueries: ReadQuery[] = [];
  const fineOf: number[] = [];
  queries.forEach(({ slug, granularity, buckets }, i) => {
    const result = results[i] as ReadResult;
    if (result.stored === null || result.stored.includes(granularity)) {
      out[i] = expire(granularity, buckets, result.counts);
      return;
    }
    const finer = result.stored
      .filter((g) => nestsIn(g, granularity))
      .sort((a, b) => rankOf(b) - rankOf(a))[0];
    if (!finer) {
      throw new MetricsError(
        "E_GRANULARITY_NOT_RECORDED",
        `Slug "${slug}" stores ${result.stored.join(", ")}; none of them gives ${granularity}`,
      );
    }
    const end = calendar.next(granularity, buckets[buckets.length - 1] as Bucket).start;
    const fine = calendar.range(finer, (buckets[0] as Bucket).start, end - 1, MAX_FINE_POINTS);
    fineQueries.push({ slug, granularity: finer, buckets: fine });
    fineOf.push(i);
  });
  if (fineQueries.length === 0) return out;
  const fineResults = await read(fineQueries);
  fineQueries.forEach((fineQuery, k) => {
    const fine = fineQuery.buckets;
    const fineCounts = expire(fineQuery.granularity, fine, (fineResults[k] as ReadResult).counts);
    const i = fineOf[k] as number;
    const buckets = (queries[i] as ReadQuery).buckets;
    const counts = new Array<number>(buckets.length).fill(0);
    let j = 0;
    for (let f = 0; f < fine.length; f++) {
      const start = (fine[f] as Bucket).start;
      while (j + 1 < buckets.length && (buckets[j + 1] as Bucket).start <= start) j++;
      counts[j] = (counts[j] as number) + (fineCounts[f] ?? 0);
    }
    out[i] = counts;
  });
  return out;
}

/** History rows: each bucket's start with its count. */
export const toRows = (buckets: readonly Bucket[], counts: readonly number[]): HistoryRow[] =>
  buckets.map((b, i) => ({ start: new Date(b.start), count: counts[i] ?? 0 }));

/** {@link readCountsMany} of one query, through `store.read()`. */
export async function readCounts(
  store: Store,
  calendar: Calendar,
  slug: string,
  granularity: Granularity,
  buckets: readonly Bucket[],
  now: number = Date.now(),
): Promise<number[]> {
  const [counts] = await readCountsMany(
    store,
    calendar,
    [{ slug, granularity, buckets }],
    now,
    readEach(store),
  );
  return counts as number[];
}

/**
 * `historyMany()`: the rows of every slug for the same buckets, from one
 * batched store read (`store.readMany()` where the store has it).
 */
export async function historiesOf(
  store: Store,
  calendar: Calendar,
  slugs: readonly string[],
  { granularity, buckets }: { granularity: Granularity; buckets: readonly Bucket[] },
  now: number,
): Promise<Record<string, HistoryRow[]>> {
  const queries = slugs.map((slug) => ({ slug, granularity, buckets }));
  const counts = await readCountsMany(store, calendar, queries, now);
  return Object.fromEntries(slugs.map((slug, i) => [slug, toRows(buckets, counts[i] ?? [])]));
}
