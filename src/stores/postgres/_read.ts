import { describeValue, MetricsError } from "../../errors.js";
import type { Calendar } from "../../time/index.js";
import { GRANULARITIES, rankOf } from "../../time/index.js";
import type { ReadQuery, ReadResult, SlugInfo } from "../types.js";
import type { Queryable, Row } from "./_db.js";
import type { Statements } from "./_sql.js";

const MINUTE = 60_000;

/** Granularities of a rank mask, finest first. */
export const granularitiesOf = (mask: number) =>
  GRANULARITIES.filter((_, rank) => (mask & (1 << rank)) !== 0);

/**
 * Rollups plus not-yet-aggregated items in one statement (one snapshot, so an
 * aggregate run committing meanwhile is seen either wholly or not at all).
 * Item minutes are mapped to buckets with the calendar, like records are.
 */
export async function readCounts(
  db: Queryable,
  sql: Statements,
  calendar: Calendar,
  query: ReadQuery,
): Promise<ReadResult> {
  const { slug, granularity, buckets } = query;
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  if (!first || !last) return { counts: [], stored: null };
  const end = calendar.next(granularity, last).start;
  const rows = await db.query(
    sql.readItems,
    [slug, rankOf(granularity), first.index, last.index, first.start, end],
    "tallyboard_read",
  );
  return decodeRows(calendar, query, rows);
}

/**
 * {@link readCounts} of many queries in one statement (one round trip and one
 * snapshot); each query's rows are decoded exactly as a single read's.
 */
export async function readManyCounts(
  db: Queryable,
  sql: Statements,
  calendar: Calendar,
  queries: readonly ReadQuery[],
): Promise<ReadResult[]> {
  const asked = queries.filter((q) => q.buckets.length > 0);
  const rowsOf = queries.map((): Row[] => []);
  if (asked.length > 0) {
    const at: number[] = [];
    const params: unknown[][] = [[], [], [], [], [], []];
    queries.forEach((q, i) => {
      const first = q.buckets[0];
      const last = q.buckets[q.buckets.length - 1];
      if (!first || !last) return;
      at.push(i);
      const end = calendar.next(q.granularity, last).start;
      [q.slug, rankOf(q.granularity), first.index, last.index, first.start, end].forEach((v, p) => {
        params[p]?.push(v);
      });
    });
    for (const row of await db.query(sql.readMany, params, "tallyboard_read_many")) {
      rowsOf[at[Number(row.q) - 1] as number]?.push(row);
    }
  }
  return queries.map((q, i) => decodeRows(calendar, q, rowsOf[i] as Row[]));
}

/** The answer to one query from its rows of `readItems` (kind 0 rollup, 1 item minute, 2 registration). */
function decodeRows(calendar: Calendar, { slug, granularity, buckets }: ReadQuery, rows: Row[]): ReadResult {
  const counts = buckets.map(() => 0);
  if (buckets.length === 0) return { counts, stored: null };
  const rank = rankOf(granularity);
  const position = new Map<number, number>();
  for (const [i, b] of buckets.entries()) position.set(b.index, i);
  let stored: ReadResult["stored"] = null;
  for (const row of rows) {
    const kind = Number(row.kind);
    const k = Number(row.k);
    const n = Number(row.n);
    if (kind === 2) {
      stored = granularitiesOf(k);
      continue;
    }
    const index = kind === 0 ? k : calendar.bucketsAt(k * MINUTE)[rank]?.index;
    const at = index === undefined ? undefined : position.get(index);
    if (at !== undefined) counts[at] = (counts[at] ?? 0) + n;
  }
  for (const count of counts) if (!Number.isSafeInteger(count)) throw unsafe(slug, "a bucket");
  return { counts, stored };
}

/**
 * A count past ±MAX_SAFE_INTEGER can only come from pending items that
 * `aggregate()` refused to fold (see docs/stores/postgres.md, "Count limits"):
 * refuse the read rather than answer an inexact number.
 */
function unsafe(slug: string, what: string): MetricsError {
  return new MetricsError(
    "E_COUNT_OVERFLOW",
    `${what} of slug ${describeValue(slug)} holds pending items that add up past ±${Number.MAX_SAFE_INTEGER}: record a correction or delete the metric`,
  );
}

/** All-time count: the slug's folded total plus its pending items. */
export async function readTotal(db: Queryable, sql: Statements, slug: string): Promise<number> {
  const rows = await db.query(sql.totalWithItems, [slug], "tallyboard_total");
  const total = BigInt(String(rows[0]?.total ?? 0));
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  if (total > limit || total < -limit) throw unsafe(slug, "The total");
  return Number(total);
}

export async function readSlugInfo(db: Queryable, sql: Statements, slug: string): Promise<SlugInfo | null> {
  const row = (await db.query(sql.slugInfo, [slug]))[0];
  if (!row) return null;
  return {
    slug,
    granularities: granularitiesOf(Number(row.granularities)),
    categories: textArray(row.categories),
    groups: textArray(row.groups),
  };
}

/** One text column of every row. */
export const column = (rows: Row[], name: string): string[] => rows.map((r) => String(r[name]));

function textArray(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  // A driver without array parsing returns the literal `{a,b}` (names never need quoting).
  if (typeof value === "string" && value.startsWith("{") && value.length > 2)
    return value.slice(1, -1).split(",");
  return [];
}
