import { describeValue, MetricsError } from "../../errors.js";
import type { RecordOp } from "../types.js";
import type { Queryable } from "./_db.js";
import { createFold, maskOf, rankRun } from "./_fold.js";
import type { PostgresStoreMode } from "./_options.js";
import type { Statements } from "./_sql.js";

/** Reject an op the contract rules out, before any I/O (so nothing is half-written). */
export function checkOp(op: RecordOp): void {
  if (!Number.isSafeInteger(op.by)) {
    throw new MetricsError(
      "E_INVALID_COUNT",
      `Invalid count ${describeValue(op.by)} for ${describeValue(op.slug)}`,
    );
  }
  if (!Number.isFinite(op.at)) {
    throw new MetricsError(
      "E_INVALID_DATE",
      `Invalid time ${describeValue(op.at)} for ${describeValue(op.slug)}`,
    );
  }
  const [lo, hi] = rankRun(op);
  if (lo < 0 || hi < lo || op.buckets.length <= hi) {
    throw new MetricsError(
      "E_INVALID_GRANULARITY",
      `Invalid granularities ${describeValue(op.granularities)} for ${describeValue(op.slug)}`,
    );
  }
}

/** One record, one statement (one round trip). */
export async function recordOne(
  db: Queryable,
  sql: Statements,
  mode: PostgresStoreMode,
  op: RecordOp,
): Promise<void> {
  checkOp(op);
  const [lo, hi] = rankRun(op);
  const category = op.category ?? null;
  const group = op.group ?? null;
  if (mode === "items") {
    await db.query(
      sql.recordItem,
      [op.slug, maskOf(lo, hi), op.at, op.by, lo, hi, category, group],
      "tallyboard_record_item",
    );
    return;
  }
  const ranks: number[] = [];
  const indexes: number[] = [];
  const starts: number[] = [];
  if (op.by !== 0) {
    for (let rank = lo; rank <= hi; rank++) {
      const b = op.buckets[rank];
      if (!b) continue;
      ranks.push(rank);
      indexes.push(b.index);
      starts.push(b.start);
    }
  }
  await db.query(
    sql.recordRollup,
    [op.slug, op.by, maskOf(lo, hi), ranks, indexes, starts, category, group],
    "tallyboard_record_rollup",
  );
}

/** Many records, one statement: atomic, and skipped when `batchId` was applied before. */
export async function recordMany(
  db: Queryable,
  sql: Statements,
  mode: PostgresStoreMode,
  ops: readonly RecordOp[],
  batchId: string | null,
): Promise<void> {
  for (const op of ops) checkOp(op);
  if (mode === "rollup") {
    const fold = createFold();
    for (const op of ops) fold.addOp(op);
    await db.query(sql.applyRollups, fold.params(batchId));
    return;
  }
  const masks = new Map<string, number>();
  const categories = new Map<string, [string, string]>();
  const groups = new Map<string, [string, string]>();
  const items = {
    slug: [] as string[],
    at: [] as number[],
    n: [] as number[],
    lo: [] as number[],
    hi: [] as number[],
  };
  for (const op of ops) {
    const [lo, hi] = rankRun(op);
    masks.set(op.slug, (masks.get(op.slug) ?? 0) | maskOf(lo, hi));
    if (op.category !== undefined) categories.set(`${op.category}\u0000${op.slug}`, [op.category, op.slug]);
    if (op.group !== undefined) groups.set(`${op.group}\u0000${op.slug}`, [op.group, op.slug]);
    if (op.by === 0) continue;
    items.slug.push(op.slug);
    items.at.push(op.at);
    items.n.push(op.by);
    items.lo.push(lo);
    items.hi.push(hi);
  }
  const slugs = [...masks.keys()].sort();
  const pairs = (m: Map<string, [string, string]>) => {
    const sorted = [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
    return [sorted.map((p) => p[0]), sorted.map((p) => p[1])];
  };
  await db.query(sql.appendItems, [
    batchId,
    slugs,
    slugs.map((s) => masks.get(s) ?? 0),
    ...pairs(categories),
    ...pairs(groups),
    items.slug,
    items.at,
    items.n,
    items.lo,
    items.hi,
  ]);
}
