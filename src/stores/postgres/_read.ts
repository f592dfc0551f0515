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
  { slug, granularity, buckets }: ReadQuery,
): Promise<ReadResult> {
  const first = buckets[0];
  const last = buckets[buckets.length - 1];
  const counts = buckets.map(() => 0);
  if (!first || !last) return { counts, stored: null };
  const rank = rankOf(granularity);
  const end = calendar.next(granularity, last).start;
  const rows = await db.query(
    sql.readItems,
    [slug, rank, first.index, last.index, first.start, end],
    "tallyboard_read",
  );
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
