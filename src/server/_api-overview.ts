import { Hono } from "hono";
import { z } from "zod";
import type { Metrics } from "../core/index.js";
import { type Bucket, parseDuration, parseGranularity } from "../time/index.js";
import { DEFAULT_SPAN_MS } from "./_api-read.js";
import { ApiError } from "./_errors.js";
import { parseQueryInstant } from "./_schemas.js";

/** Tiles per overview page when `limit` is not given, and the most one page may hold. */
export const OVERVIEW_LIMIT = { default: 100, max: 500 } as const;
/** Most slugs named in `slugs=` (the detail chart). */
const MAX_NAMED_SLUGS = 50;
/** Most buckets in one tile's range (the previous range is as long again). */
const MAX_TILE_POINTS = 5_000;

const querySchema = z.strictObject({
  category: z.string().optional(),
  slugs: z.string().optional(),
  granularity: z.string().optional(),
  range: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  offset: z
    .string()
    .regex(/^\d{1,9}$/, "must be a whole number")
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,9}$/, "must be a whole number")
    .optional(),
});

/** Direction of a tile's change against the previous range. */
export type Trend = "up" | "down" | "flat" | "new";

/** One tile of `GET /overview`. */
export interface OverviewTile {
  slug: string;
  /** Definition name, or null when the slug has no definition. */
  name: string | null;
  unit: string | null;
  /** Sum of `counts` (the selected range) and of `previousCounts` (the same number of buckets just before). */
  total: number;
  previousTotal: number;
  /** (total − previousTotal) / |previousTotal| × 100, or null when previousTotal is 0. */
  change: number | null;
  trend: Trend;
  counts: number[];
  previousCounts: number[];
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Trend and percentage of `total` against `previous`: "new" when the previous range is zero. */
export function compare(total: number, previous: number): { change: number | null; trend: Trend } {
  if (previous === 0) return { change: null, trend: total === 0 ? "flat" : "new" };
  const change = ((total - previous) / Math.abs(previous)) * 100;
  return { change, trend: total > previous ? "up" : total < previous ? "down" : "flat" };
}

function parseQuery(query: Record<string, string>): z.infer<typeof querySchema> {
  const result = querySchema.safeParse(query);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue?.path.length ? `query.${issue.path.map(String).join(".")}` : "query";
  throw new ApiError(400, "E_INVALID_REQUEST", `${where}: ${issue?.message ?? "invalid value"}`);
}

/**
 * `GET /overview?category=|slugs=&granularity=&range=|from=&to=&offset=&limit=`
 * (read scope): one tile per slug of the category (every slug when neither is
 * given; sorted by slug) or per slug named in `slugs` (comma-separated, in that
 * order), paginated by `offset`/`limit`. Each tile holds the counts of
 * the selected range and of the same number of buckets just before it, read
 * with one `historyMany()` call: one batched store read for the whole page
 * (one Redis pipeline, one SQL statement) rather than one request per tile.
 */
export function overviewRoutes({ metrics, now }: { metrics: Metrics; now: () => number }): Hono {
  const app = new Hono();
  app.get("/overview", async (c) => {
    const q = parseQuery(c.req.query());
    const granularity = parseGranularity(q.granularity ?? "days");
    if (q.from !== undefined && q.range !== undefined) {
      throw new ApiError(400, "E_INVALID_REQUEST", "Give either from or range, not both");
    }
    const to =
      q.to === undefined ? now() : parseQueryInstant(q.to, "range end (to)", metrics.calendar.timezone);
    const from =
      q.from !== undefined
        ? parseQueryInstant(q.from, "range start (from)", metrics.calendar.timezone)
        : to - (q.range !== undefined ? parseDuration(q.range) : DEFAULT_SPAN_MS[granularity]);
    if (from > to) throw new ApiError(400, "E_INVALID_RANGE", "from is after to");
    const offset = Number(q.offset ?? 0);
    const limit = Number(q.limit ?? OVERVIEW_LIMIT.default);
    if (limit < 1 || limit > OVERVIEW_LIMIT.max) {
      throw new ApiError(400, "E_INVALID_REQUEST", `query.limit: must be 1 to ${OVERVIEW_LIMIT.max}`);
    }
    const category = q.category ?? "";
    if (category && q.slugs !== undefined) {
      throw new ApiError(400, "E_INVALID_REQUEST", "Give either category or slugs, not both");
    }
    const named = q.slugs === undefined ? null : [...new Set(q.slugs.split(",").filter((s) => s !== ""))];
    if (named && named.length > MAX_NAMED_SLUGS) {
      throw new ApiError(400, "E_INVALID_REQUEST", `query.slugs: at most ${MAX_NAMED_SLUGS} slugs`);
    }
    const { calendar } = metrics;
    const current = calendar.range(granularity, from, to, MAX_TILE_POINTS);
    let start = (current[0] as Bucket).start;
    for (let i = 0; i < current.length; i++) start = calendar.bucket(granularity, start - 1).start;
    const [all, definitions] = await Promise.all([
      named ?? (category ? metrics.categorySlugs(category) : metrics.slugs()),
      metrics.definitions(),
    ]);
    const page = all.slice(offset, offset + limit);
    const rows = page.length
      ? await metrics.historyMany(page, { from: start, to, granularity })
      : ({} as Record<string, never>);
    const byslug = new Map(definitions.map((d) => [d.slug, d]));
    const n = current.length;
    const tiles: OverviewTile[] = page.map((slug) => {
      const counts = (rows[slug] ?? []).map((r) => r.count);
      const now = counts.slice(-n);
      const before = counts.slice(0, Math.max(0, counts.length - n));
      const total = sum(now);
      const previousTotal = sum(before);
      const d = byslug.get(slug);
      return {
        slug,
        name: d?.name ?? null,
        unit: d?.unit ?? null,
        total,
        previousTotal,
        ...compare(total, previousTotal),
        counts: now,
        previousCounts: before,
      };
    });
    return c.json({
      category,
      granularity,
      timezone: calendar.timezone,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      previousFrom: new Date(start).toISOString(),
      // Where the store's retention for this granularity starts (null: kept forever).
      keptFrom: metrics.keptFrom(granularity)?.toISOString() ?? null,
      count: all.length,
      offset,
      limit,
      starts: current.map((b) => new Date(b.start).toISOString()),
      tiles,
    });
  });
  return app;
}
