import { describeValue, MetricsError } from "../../errors.js";
import type { Bucket } from "../../time/index.js";
import type { RecordOp } from "../types.js";
import type { Queryable } from "./_db.js";
import { createFold, maskOf, rankRun } from "./_fold.js";
import { appendItemsParams, isOverflow, MAX_COUNT, needsBuckets, overflowError } from "./_items.js";
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

/** Run a write, turning a count past a limit into `E_COUNT_OVERFLOW` (the statement wrote nothing). */
async function guarded<T>(ops: readonly RecordOp[], write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    throw isOverflow(error) ? overflowError(ops, error) : error;
  }
}

/** How a store writes: its statements, its mode, and bucket ends for items-mode checks. */
export interface Writer {
  sql: Statements;
  mode: PostgresStoreMode;
  /** The end (ms) of each bucket of a `calendar.bucketsAt()` array. */
  endsOf(buckets: readonly Bucket[]): readonly number[];
}

/** One record, one statement (one round trip). */
export async function recordOne(db: Queryable, w: Writer, op: RecordOp): Promise<void> {
  checkOp(op);
  if (w.mode === "items") {
    await guarded([op], () => db.query(w.sql.appendItems, appendItemsParams([op], null, w.endsOf)));
    return;
  }
  const [lo, hi] = rankRun(op);
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
  await guarded([op], () =>
    db.query(
      w.sql.recordRollup,
      [op.slug, op.by, maskOf(lo, hi), ranks, indexes, starts, op.category ?? null, op.group ?? null],
      "tallyboard_record_rollup",
    ),
  );
}

/**
 * Many records, one statement: atomic, and skipped when `batchId` was applied
 * before. A batch is checked on its net sums per bucket and total.
 */
export async function recordMany(
  db: Queryable,
  w: Writer,
  ops: readonly RecordOp[],
  batchId: string | null,
): Promise<void> {
  for (const op of ops) checkOp(op);
  if (w.mode === "items") {
    // Without bucket sums first: only a write touching a checked slug needs them.
    await guarded(ops, async () => {
      try {
        await db.query(w.sql.appendItems, appendItemsParams(ops, batchId));
      } catch (error) {
        if (!needsBuckets(error)) throw error;
        await db.query(w.sql.appendItems, appendItemsParams(ops, batchId, w.endsOf));
      }
    });
    return;
  }
  const fold = createFold();
  for (const op of ops) fold.addOp(op);
  // A net sum beyond twice the limit cannot fit whatever is stored: refuse before any I/O.
  if (fold.slugsBeyond(2 * MAX_COUNT).size > 0) throw overflowError(ops);
  await guarded(ops, () => db.query(w.sql.applyRollups, fold.params(batchId)));
}
