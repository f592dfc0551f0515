import type { Bucket } from "../../time/index.js";
import { rankOf } from "../../time/index.js";
import type { RecordOp } from "../types.js";

/** Bit mask of the ranks `lo..hi` (0 = minutes … 5 = years). */
export const maskOf = (lo: number, hi: number): number => ((1 << (hi + 1)) - 1) & ~((1 << lo) - 1);

/** The rank run `[lo, hi]` of a record's granularities. */
export function rankRun(op: RecordOp): [number, number] {
  const first = op.granularities[0];
  const last = op.granularities[op.granularities.length - 1];
  if (first === undefined || last === undefined) return [0, -1];
  return [rankOf(first), rankOf(last)];
}

/** An exact sum of safe integers: a number while it is safe, a bigint past that. */
export type Sum = number | bigint;

/** `a + b` without losing precision. */
export function addExact(a: Sum, b: Sum): Sum {
  if (typeof a === "number" && typeof b === "number") {
    const n = a + b;
    if (Number.isSafeInteger(n)) return n;
  }
  const big = BigInt(a) + BigInt(b);
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** A sum as a query parameter (a bigint goes as text, which Postgres reads exactly). */
export const sumParam = (n: Sum): number | string => (typeof n === "bigint" ? n.toString() : n);

/** |n| > limit, exactly. */
export const beyond = (n: Sum, limit: number): boolean =>
  typeof n === "number" ? Math.abs(n) > limit : (n < 0n ? -n : n) > BigInt(limit);

interface RollupRow {
  slug: string;
  rank: number;
  index: number;
  start: number;
  n: Sum;
}

const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Sums many records into one row per slug×granularity×bucket (an upsert may
 * touch a row only once per statement) and one row per slug, then emits the
 * parameter arrays of `applyRollups`, sorted so concurrent writers lock rows
 * in the same order.
 */
export function createFold() {
  const slugs = new Map<string, { mask: number; total: Sum }>();
  const rollups = new Map<string, RollupRow>();
  const categories = new Map<string, [string, string]>();
  const groups = new Map<string, [string, string]>();

  const add = (slug: string, by: Sum, buckets: readonly Bucket[], lo: number, hi: number): void => {
    const s = slugs.get(slug);
    if (s) {
      s.mask |= maskOf(lo, hi);
      s.total = addExact(s.total, by);
    } else slugs.set(slug, { mask: maskOf(lo, hi), total: by });
    if (by === 0) return;
    for (let rank = lo; rank <= hi; rank++) {
      const b = buckets[rank];
      if (!b) continue;
      const key = `${slug}\u0000${rank}\u0000${b.index}`;
      const row = rollups.get(key);
      if (row) row.n = addExact(row.n, by);
      else rollups.set(key, { slug, rank, index: b.index, start: b.start, n: by });
    }
  };

  const link = (target: Map<string, [string, string]>, name: string | undefined, slug: string): void => {
    if (name !== undefined) target.set(`${name}\u0000${slug}`, [name, slug]);
  };

  const columns = (target: Map<string, [string, string]>): [string[], string[]] => {
    const pairs = [...target.entries()].sort((a, b) => byKey(a[0], b[0])).map((e) => e[1]);
    return [pairs.map((p) => p[0]), pairs.map((p) => p[1])];
  };

  return {
    add,
    /** Add one record op (its buckets and granularity run, category, group). */
    addOp(op: RecordOp): void {
      const [lo, hi] = rankRun(op);
      add(op.slug, op.by, op.buckets, lo, hi);
      link(categories, op.category, op.slug);
      link(groups, op.group, op.slug);
    },
    /** Rollup rows that will be written (zero sums are skipped). */
    get rollupCount(): number {
      let n = 0;
      for (const row of rollups.values()) if (row.n !== 0) n++;
      return n;
    },
    /** Slugs one of whose sums (a bucket or the total) is beyond ±`limit`. */
    slugsBeyond(limit: number): Set<string> {
      const found = new Set<string>();
      for (const [slug, s] of slugs) if (beyond(s.total, limit)) found.add(slug);
      for (const row of rollups.values()) if (beyond(row.n, limit)) found.add(row.slug);
      return found;
    },
    /** Every slug with its mask and exact total. */
    slugs: (): ReadonlyMap<string, { mask: number; total: Sum }> => slugs,
    /** Every summed bucket (zero sums included). */
    rows: (): Iterable<RollupRow> => rollups.values(),
    /** Parameters $1..$13 of `applyRollups`. */
    params(batchId: string | null): unknown[] {
      const slugNames = [...slugs.keys()].sort(byKey);
      const rows = [...rollups.values()]
        .filter((r) => r.n !== 0)
        .sort((a, b) => byKey(a.slug, b.slug) || a.rank - b.rank || a.index - b.index);
      return [
        batchId,
        slugNames,
        slugNames.map((s) => slugs.get(s)?.mask ?? 0),
        slugNames.map((s) => sumParam(slugs.get(s)?.total ?? 0)),
        ...columns(categories),
        ...columns(groups),
        rows.map((r) => r.slug),
        rows.map((r) => r.rank),
        rows.map((r) => r.index),
        rows.map((r) => r.start),
        rows.map((r) => sumParam(r.n)),
      ];
    },
  };
}
