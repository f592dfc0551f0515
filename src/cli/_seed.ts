import type { Metrics } from "../core/index.js";
import type { Output } from "./_context.js";
import { DEMO_MARKER, type DemoData } from "./_demo.js";
import { createProgress } from "./_progress.js";

/** What {@link seedDemo} did. */
export interface SeedResult {
  /** False when the store already held demo data and nothing was written. */
  seeded: boolean;
  /** Events written. */
  events: number;
}

/** Events per `recordMany()` call while seeding. */
const BATCH = 1000;

/**
 * Write demo data unless the store already has it (the marker slug exists), so
 * `start --demo` can be run again without doubling counts. Progress goes to `progressOutput`.
 */
export async function seedDemo(
  metrics: Metrics,
  data: DemoData,
  progressOutput: Output,
  signal?: AbortSignal,
): Promise<SeedResult> {
  if ((await metrics.slugs()).includes(DEMO_MARKER)) return { seeded: false, events: 0 };
  for (const definition of data.definitions) await metrics.createMetric(definition);
  for (const gauge of data.gauges) await metrics.setGauge(gauge.slug, gauge.value);
  const progress = createProgress(progressOutput, "seeding demo data");
  const total = data.events.length;
  let written = 0;
  try {
    // The marker slug is written last, so an interrupted seed is completed by the next run
    // rather than skipped (earlier batches are then recorded twice: demo data, not a ledger).
    const events = [
      ...data.events.filter((e) => e.slug !== DEMO_MARKER),
      ...data.events.filter((e) => e.slug === DEMO_MARKER),
    ];
    progress.update(0, total);
    for (let i = 0; i < total; i += BATCH) {
      if (signal?.aborted) break;
      await metrics.recordMany(events.slice(i, i + BATCH));
      written = Math.min(total, i + BATCH);
      progress.update(written, total);
    }
    await metrics.flush();
  } finally {
    progress.stop();
  }
  return { seeded: true, events: written };
}
