/** Shared data for the reports tests: a New York memory store with a few signups. */
import { createMetrics } from "../../src/core/index.js";
import type { Metrics } from "../../src/core/types.js";
import { memoryStore } from "../../src/stores/memory/index.js";

/** 10:00 in New York; the last closed day is May 1. */
export const NOW = Date.parse("2024-05-02T14:00:00Z");
/** When the test sets are created (before the reported periods). */
export const CREATED = Date.parse("2024-04-01T00:00:00Z");
export const at = (iso: string) => ({ at: Date.parse(iso) });

/**
 * signups (hours..years): 3 on May 1, 2 on Apr 30, 5 on Apr 24, 11 on Apr 1,
 * 13 on 2023-05-02, 17 on 2023-05-03, 7 in June 2023, 100 on May 2 (after the
 * period); monthly_only (months..years): 9 in May.
 */
export async function setup(): Promise<Metrics> {
  const metrics = createMetrics({ store: memoryStore(), timezone: "America/New_York", now: () => NOW });
  await metrics.createMetric({ slug: "signups", name: "Sign-ups", unit: "users" });
  await metrics.record("signups", { by: 3, ...at("2024-05-01T12:00:00Z") });
  await metrics.record("signups", { by: 2, ...at("2024-04-30T12:00:00Z") });
  await metrics.record("signups", { by: 5, ...at("2024-04-24T12:00:00Z") });
  await metrics.record("signups", { by: 7, ...at("2023-06-01T12:00:00Z") });
  await metrics.record("signups", { by: 11, ...at("2024-04-01T12:00:00Z") });
  await metrics.record("signups", { by: 13, ...at("2023-05-02T12:00:00Z") }); // day 122 of 2023
  await metrics.record("signups", { by: 17, ...at("2023-05-03T12:00:00Z") }); // day 123
  await metrics.record("signups", { by: 100, ...at("2024-05-02T12:00:00Z") }); // after the period
  await metrics.record("monthly_only", {
    by: 9,
    ...at("2024-05-01T12:00:00Z"),
    granularities: { min: "months" },
  });
  return metrics;
}
