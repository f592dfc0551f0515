import { Hono } from "hono";
import type { Metrics } from "../core/index.js";
import type { MetricSetRecord } from "../stores/types.js";

/** One metric set as `GET /sets` returns it (`createdAt` as ISO 8601). */
export interface MetricSetJson {
  name: string;
  metrics: string[];
  recipients: string[];
  schedule: string;
  thresholds: Record<string, { above?: number; below?: number }>;
  createdAt: string;
}

/** A stored set in its JSON shape. */
export function metricSetJson(set: MetricSetRecord): MetricSetJson {
  return {
    name: set.name,
    metrics: [...set.metrics],
    recipients: [...set.recipients],
    schedule: set.schedule,
    thresholds: set.thresholds ?? {},
    createdAt: new Date(set.createdAt).toISOString(),
  };
}

/**
 * `GET /sets` (read scope): every metric set, sorted by name, as
 * `{ sets: [{ name, metrics, recipients, schedule, thresholds, createdAt }] }`.
 * Mount it next to the other read routes: `api.route("/", setsRoutes({ metrics }))`.
 * Sets are managed with `createReports()` or `tallyboard sets`, not over HTTP.
 */
export function setsRoutes({ metrics }: { metrics: Metrics }): Hono {
  const app = new Hono();
  app.get("/sets", async (c) => {
    const sets = await metrics.store.metricSets();
    return c.json({ sets: sets.map(metricSetJson) });
  });
  return app;
}
