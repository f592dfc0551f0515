import { describeValue, MetricsError } from "../../errors.js";
import type { Calendar } from "../../time/index.js";
import type { AggregateOptions, AggregateResult } from "../types.js";
import { type Db, withRetry } from "./_db.js";
import { createFold } from "./_fold.js";
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

/**
 * Fold raw items into rollups. Each batch is one transaction: claim up to
 * `batchSize` items (`FOR UPDATE SKIP LOCKED`, so a concurrent run takes
 * others), delete them, sum them per slug × granularity run × UTC minute in
 * SQL, map each minute to its buckets with the calendar, upsert the rollups
 * and slug totals, commit. A crash rolls the batch back whole; the items stay
 * for the next run. Only items present at the start are claimed, so a run
 * ends even while records keep arriving.
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
  while (!options.signal?.aborted) {
    const batch = await withRetry(() =>
      db.transaction(async (tx) => {
        const rows = await tx.query(sql.claimItems, [batchSize, maxId]);
        if (rows.length === 0) return null;
        const fold = createFold();
        let items = 0;
        for (const row of rows) {
          items += Number(row.items);
          const buckets = calendar.bucketsAt(Number(row.minute) * MINUTE);
          fold.add(String(row.slug), Number(row.n), buckets, Number(row.lo), Number(row.hi));
        }
        await tx.query(sql.applyRollups, fold.params(null));
        return { items, buckets: fold.rollupCount };
      }),
    );
    if (!batch) break;
    result.items += batch.items;
    result.buckets += batch.buckets;
    result.batches += 1;
    options.onProgress?.({ done: result.items, total: Math.max(total, result.items) });
  }
  return result;
}
