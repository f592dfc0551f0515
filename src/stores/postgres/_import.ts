import { MetricsError } from "../../errors.js";
import { rankOf } from "../../time/index.js";
import type { BucketRows } from "../types.js";
import type { Statements } from "./_sql.js";

interface Queryable {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Add moved counts to rollup buckets in one statement (the `applyRollups`
 * statement of batches, with totals of 0, so the slugs' all-time totals stay
 * those of the store they came from), skipped when `batchId` was applied
 * before. Works in both modes: reads of an items-mode store include rollups.
 */
export async function importRows(
  db: Queryable,
  sql: Statements,
  rows: readonly BucketRows[],
  batchId: string,
): Promise<void> {
  const masks = new Map<string, number>();
  const out = {
    slug: [] as string[],
    rank: [] as number[],
    index: [] as number[],
    start: [] as number[],
    n: [] as number[],
  };
  for (const row of rows) {
    const rank = rankOf(row.granularity);
    masks.set(row.slug, (masks.get(row.slug) ?? 0) | (1 << rank));
    for (const b of row.buckets) {
      if (!Number.isSafeInteger(b.count) || !Number.isSafeInteger(b.index) || !Number.isFinite(b.start)) {
        throw new MetricsError(
          "E_INVALID_COUNT",
          `Cannot import bucket ${b.index} of ${row.slug}: count ${b.count}`,
        );
      }
      out.slug.push(row.slug);
      out.rank.push(rank);
      out.index.push(b.index);
      out.start.push(b.start);
      out.n.push(b.count);
    }
  }
  const slugs = [...masks.keys()].sort();
  await db.query(sql.applyRollups, [
    batchId,
    slugs,
    slugs.map((s) => masks.get(s) ?? 0),
    slugs.map(() => 0),
    [],
    [],
    [],
    [],
    out.slug,
    out.rank,
    out.index,
    out.start,
    out.n,
  ]);
}
