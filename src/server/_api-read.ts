import { Hono } from "hono";
import type { HistoryRow, Metrics } from "../core/index.js";
import { type Granularity, parseDuration, parseGranularity } from "../time/index.js";
import { ApiError } from "./_errors.js";
import { parseHistoryQuery, parseQueryInstant } from "./_schemas.js";

/** The span of `GET /metrics/:slug` when neither `from` nor `range` is given. */
export const DEFAULT_SPAN_MS: Readonly<Record<Granularity, number>> = {
  minutes: 3_600_000, // 1 hour: 61 rows
  hours: 86_400_000, // 24 hours
  days: 30 * 86_400_000,
  weeks: 12 * 7 * 86_400_000,
  months: 365 * 86_400_000,
  years: 10 * 365 * 86_400_000,
};

/** Granularity of `GET /metrics/:slug` when none is given. */
export const DEFAULT_GRANULARITY: Granularity = "days";

interface ReadDeps {
  metrics: Metrics;
  now: () => number;
}

const wantsCsv = (accept = ""): boolean =>
  accept.includes("text/csv") && !accept.includes("application/json");

/** A history as CSV: a `start,count` header, then one ISO 8601 start and count per line. */
export function historyCsv(rows: readonly HistoryRow[]): string {
  let out = "start,count\n";
  for (const row of rows) out += `${row.start.toISOString()},${row.count}\n`;
  return out;
}

/** The GET routes of `/api/v1` (everything but health). */
export function readRoutes({ metrics, now }: ReadDeps): Hono {
  const app = new Hono();
  const definitionOf = async (slug: string) =>
    (await metrics.definitions()).find((d) => d.slug === slug) ?? null;

  app.get("/slugs", async (c) => c.json({ slugs: await metrics.slugs() }));

  app.get("/slugs/:slug", async (c) => {
    const slug = c.req.param("slug");
    const [info, definition] = await Promise.all([metrics.slugInfo(slug), definitionOf(slug)]);
    if (!info && !definition) {
      throw new ApiError(404, "E_NOT_FOUND", `Slug "${slug}" was never recorded nor defined`);
    }
    const total = info ? await metrics.total(slug) : 0;
    return c.json({ slug, granularities: [], categories: [], groups: [], ...info, total, definition });
  });

  app.get("/categories", async (c) => c.json({ categories: await metrics.categories() }));
  app.get("/categories/:category/slugs", async (c) => {
    const category = c.req.param("category");
    return c.json({ category, slugs: await metrics.categorySlugs(category) });
  });

  app.get("/groups", async (c) => c.json({ groups: await metrics.groups() }));
  app.get("/groups/:group/slugs", async (c) => {
    const group = c.req.param("group");
    return c.json({ group, slugs: await metrics.groupSlugs(group) });
  });

  app.get("/gauges", async (c) => c.json({ gauges: await metrics.gauges() }));
  app.get("/gauges/:slug", async (c) => {
    const slug = c.req.param("slug");
    const value = await metrics.gauge(slug);
    if (value === null) throw new ApiError(404, "E_NOT_FOUND", `Gauge "${slug}" was never set`);
    return c.json({ slug, value });
  });

  app.get("/definitions", async (c) => c.json({ definitions: await metrics.definitions() }));

  app.get("/metrics/:slug", async (c) => {
    const slug = c.req.param("slug");
    const query = parseHistoryQuery(c.req.query());
    const granularity = parseGranularity(query.granularity ?? DEFAULT_GRANULARITY);
    if (query.from !== undefined && query.range !== undefined) {
      throw new ApiError(400, "E_INVALID_REQUEST", "Give either from or range, not both");
    }
    const to =
      query.to === undefined
        ? now()
        : parseQueryInstant(query.to, "range end (to)", metrics.calendar.timezone);
    const from =
      query.from !== undefined
        ? parseQueryInstant(query.from, "range start (from)", metrics.calendar.timezone)
        : to - (query.range !== undefined ? parseDuration(query.range) : DEFAULT_SPAN_MS[granularity]);
    const [rows, definition] = await Promise.all([
      metrics.history(slug, { from, to, granularity }),
      definitionOf(slug),
    ]);
    c.header("Vary", "Accept");
    if (query.format === "csv" || (query.format === undefined && wantsCsv(c.req.header("Accept")))) {
      c.header("Content-Type", "text/csv; charset=utf-8");
      c.header("Content-Disposition", `attachment; filename="${slug}-${granularity}.csv"`);
      return c.body(historyCsv(rows));
    }
    return c.json({
      slug,
      granularity,
      timezone: metrics.calendar.timezone,
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      definition,
      // Where the store's retention starts: buckets before it read as 0 (null = kept forever).
      keptFrom: metrics.keptFrom(granularity)?.toISOString() ?? null,
      rows: rows.map((r) => ({ start: r.start.toISOString(), count: r.count })),
    });
  });

  return app;
}
