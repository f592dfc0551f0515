import { describeValue, MetricsError } from "../../errors.js";
import type { Bucket } from "../../time/index.js";
import type { RecordOp } from "../types.js";
import { addExact, beyond, createFold, maskOf, rankRun, type Sum, sumParam } from "./_fold.js";
import { NEED_BUCKETS } from "./_limits.js";

/** Largest count a bucket or total may hold. */
export const MAX_COUNT = Number.MAX_SAFE_INTEGER;

/**
 * A write whose net amount on one bucket or total of a slug is beyond this
 * marks the slug `checked` for good (items mode): its later writes are checked
 * exactly against folded counts plus pending items. Below it, a slug needs
 * millions of pending items before a bucket could near the limit.
 */
export const LARGE = 2 ** 31;

/** `E_COUNT_OVERFLOW` for a refused write of `ops`. */
export function overflowError(ops: readonly RecordOp[], cause?: unknown): MetricsError {
  const limit = `±${MAX_COUNT}; nothing was written`;
  const first = ops[0];
  const message =
    ops.length === 1 && first
      ? `Recording ${first.by} on slug ${describeValue(first.slug)} would take a bucket or the total past ${limit}`
      : `A batch of ${ops.length} records (slugs ${[...new Set(ops.map((o) => o.slug))]
          .slice(0, 5)
          .map((s) => describeValue(s))
          .join(
            ", ",
          )}${new Set(ops.map((o) => o.slug)).size > 5 ? ", …" : ""}) would take a bucket or a total past ${limit}`;
  return new MetricsError("E_COUNT_OVERFLOW", message, cause === undefined ? {} : { cause });
}

/** Whether a driver error is a count passing the limit (`count_overflow()`, or a bigint overflow). */
export function isOverflow(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "22003";
}

/** Whether a driver error is `append_items()` asking for bucket sums. */
export const needsBuckets = (error: unknown): boolean =>
  (error as { code?: unknown } | null)?.code === NEED_BUCKETS;

/**
 * Parameters of `append_items()` for `ops` (items mode). Sums are exact; a
 * slug whose net amount in this write is beyond twice the limit cannot fit
 * whatever is stored and is refused before any I/O.
 *
 * Bucket sums (and their ends, from `endsOf`: the end in ms of each bucket of
 * a `calendar.bucketsAt()` array) are needed only when the write touches a
 * checked slug. Without `endsOf` they are left out (a cheap write of a large
 * batch); the function then asks for them with {@link NEED_BUCKETS}. A slug
 * counts as written a large amount when the sum of its |by| passes `LARGE`
 * (without bucket sums) or a net bucket or total sum does (with them).
 */
export function appendItemsParams(
  ops: readonly RecordOp[],
  batchId: string | null,
  endsOf?: (buckets: readonly Bucket[]) => readonly number[],
): unknown[] {
  const slugs = new Map<string, { mask: number; total: Sum; volume: number }>();
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
    const s = slugs.get(op.slug);
    if (s) {
      s.mask |= maskOf(lo, hi);
      s.total = addExact(s.total, op.by);
      s.volume += Math.abs(op.by);
    } else slugs.set(op.slug, { mask: maskOf(lo, hi), total: op.by, volume: Math.abs(op.by) });
    if (op.category !== undefined) categories.set(`${op.category}\u0000${op.slug}`, [op.category, op.slug]);
    if (op.group !== undefined) groups.set(`${op.group}\u0000${op.slug}`, [op.group, op.slug]);
    if (op.by === 0) continue;
    items.slug.push(op.slug);
    items.at.push(op.at);
    items.n.push(op.by);
    items.lo.push(lo);
    items.hi.push(hi);
  }
  const names = [...slugs.keys()].sort(byKey);
  const large = new Set(names.filter((n) => (slugs.get(n)?.volume ?? 0) > LARGE));
  for (const s of slugs.values()) if (beyond(s.total, 2 * MAX_COUNT)) throw overflowError(ops);
  let buckets: unknown[] = [null, null, null, null, null, null];
  if (endsOf) {
    const fold = createFold();
    const ends = new Map<string, number>();
    for (const op of ops) {
      fold.addOp(op);
      const e = endsOf(op.buckets);
      for (const [rank, b] of op.buckets.entries()) ends.set(`${rank}:${b.index}`, e[rank] ?? b.start);
    }
    if (fold.slugsBeyond(2 * MAX_COUNT).size > 0) throw overflowError(ops);
    large.clear();
    for (const name of fold.slugsBeyond(LARGE)) large.add(name);
    const p = fold.params(null);
    const [rRank, rIndex] = [p[9] as number[], p[10] as number[]];
    buckets = [
      p[8],
      rRank,
      rIndex,
      p[11],
      rRank.map((rank, i) => ends.get(`${rank}:${rIndex[i]}`) ?? 0),
      p[12],
    ];
  }
  return [
    batchId,
    names,
    names.map((n) => slugs.get(n)?.mask ?? 0),
    names.map((n) => sumParam(slugs.get(n)?.total ?? 0)),
    names.map((n) => large.has(n)),
    ...columns(categories),
    ...columns(groups),
    items.slug,
    items.at,
    items.n,
    items.lo,
    items.hi,
    ...buckets,
  ];
}

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function columns(target: Map<string, [string, string]>): [string[], string[]] {
  const pairs = [...target.entries()].sort((a, b) => byKey(a[0], b[0])).map((e) => e[1]);
  return [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
}
