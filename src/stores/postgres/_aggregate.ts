import { describeValue, MetricsError } from "../../errors.js";
import type { Calendar } from "../../time/index.js";
import type { AggregateOptions, AggregateResult } from "../types.js";
import { type Db, withRetry } from "./_db.js";
import { createFold, type Sum } from "./_fold.js";
import { isOverflow, MAX_COUNT } from "./_items.js";
import { column } from "./_read.js";
import type { Statements } from "./_sql.js";

const MINUTE = 60_000;
/** Items folded per transaction by default. */
export const DEFAULT_BATCH_SIZE = 50_000;

/** Validate aggregate options before any I/O. */
export function checkAggregateOptions(options: AggregateOptions): number {
  const size = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isSafeInteger(size) || size < 1 || size > 1_000_000) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `batchSize must be an integer from 1 to 1000000, got ${describeValue(size)}`,
    );
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `onProgress must be a function, got ${describeValue(options.onProgress)}`,
    );
  }
  return size;
}

/** Thrown inside an aggregate transaction to roll it back and leave `slugs` unfolded. */
class Overflowing extends Error {
  constructor(readonly slugs: ReadonlySet<string>) {
    super("folding would pass the count limit");
  }
}

/**
 * Fold raw items into rollups. Each batch is one transaction: claim up to
 * `batchSize` items (`FOR UPDATE SKIP LOCKED`, so a concurrent run takes
 * others), delete them, sum them per slug × granularity run × UTC minute in
 * SQL, map each minute to its buckets with the calendar, upsert the rollups
 * and slug totals, commit. A crash rolls the batch back whole; the items stay
 * for the next run. Only items present at the start are claimed, so a run
 * ends even while records keep arriving.
 *
 * Count limits: a batch that would take a bucket or total past
 * ±MAX_SAFE_INTEGER is rolled back whole, the slugs concerned are set aside
 * (their items stay pending, untouched, listed in `result.overflowed`), and
 * the batch is claimed again without them — so a run never fails half way
 * and never drops an item.
 */
export async function aggregateItems(
  db: Db,
  sql: Statements,
  calendar: Calendar,
  options: AggregateOptions,
): Promise<AggregateResult> {
  const batchSize = checkAggregateOptions(options);
  const result: AggregateResult = { items: 0, buckets: 0, batches: 0 };
  const pending = (await db.query(sql.pendingItems))[0];
  const total = Number(pending?.n ?? 0);
  const maxId = pending?.max_id ?? 0;
  options.onProgress?.({ done: 0, total });
  if (total === 0) return result;
  const excluded = new Set<string>();
  // After a first overflow, every batch is checked before it is written.
  let careful = false;
  while (!options.signal?.aborted) {
    let batch: { items: number; buckets: number } | null;
    try {
      batch = await withRetry(() =>
        db.transaction(async (tx) => {
          const rows = await tx.query(sql.claimItems, [batchSize, maxId, [...excluded]]);
          if (rows.length === 0) return null;
          const fold = createFold();
          let items = 0;
          for (const row of rows) {
            items += Number(row.items);
            const buckets = calendar.bucketsAt(Number(row.minute) * MINUTE);
            fold.add(String(row.slug), toSum(row.n), buckets, Number(row.lo), Number(row.hi));
          }
          const params = fold.params(null);
          const certain = fold.slugsBeyond(2 * MAX_COUNT);
          if (certain.size > 0) throw new Overflowing(certain);
          if (careful) {
            const [, slugs, , totals, , , , , rSlugs, rRanks, rIndexes, , rCounts] = params;
            const check = [slugs, totals, rSlugs, rRanks, rIndexes, rCounts];
            const found = column(await tx.query(sql.foldOverflows, check), "slug");
            if (found.length > 0) throw new Overflowing(new Set(found));
          }
          await tx.query(sql.applyRollups, params);
          return { items, buckets: fold.rollupCount };
        }),
      );
    } catch (error) {
      if (error instanceof Overflowing) {
        for (const slug of error.slugs) excluded.add(slug);
        continue;
      }
      if (!careful && isOverflow(error)) {
        careful = true; // find out which slugs, then go on without them
        continue;
      }
      throw error;
    }
    if (!batch) break;
    result.items += batch.items;
    result.buckets += batch.buckets;
    result.batches += 1;
    options.onProgress?.({ done: result.items, total: Math.max(total, result.items) });
  }
  if (excluded.size > 0) result.overflowed = [...excluded].sort();
  return result;
}

/** A numeric sum read as text: a number while safe, else a bigint. */
function toSum(value: unknown): Sum {
  const text = String(value);
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}
