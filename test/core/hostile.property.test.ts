import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics } from "../../src/core/types.js";
import { createCalendar, parseGranularity, parseInstant } from "../../src/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import {
  checkError,
  granularityish,
  hostile,
  optionsOf,
  outcome,
  slugish,
  snapshot,
  timeish,
} from "./_hostile.js";

const T0 = Date.UTC(2024, 0, 10, 12);
const RUNS = 150;

const rangeish = optionsOf({ min: granularityish, max: granularityish });
const recordOptions = optionsOf({
  by: fc.oneof(hostile, fc.integer()),
  at: timeish,
  category: slugish,
  group: slugish,
  granularities: rangeish,
});
const historyOptions = optionsOf({ from: timeish, to: timeish, granularity: granularityish });
const event = optionsOf({
  slug: slugish,
  by: fc.oneof(hostile, fc.integer()),
  at: timeish,
  category: slugish,
  granularities: rangeish,
});

/** One public method called with generated arguments. */
const calls: Record<string, fc.Arbitrary<(m: Metrics) => unknown>> = {
  record: fc.tuple(slugish, recordOptions).map(
    ([s, o]) =>
      (m) =>
        m.record(s as never, o as never),
  ),
  recordMany: fc
    .oneof(hostile, fc.array(fc.oneof(event, fc.constant({ slug: "ok" })), { maxLength: 4 }))
    .map((events) => (m) => m.recordMany(events as never)),
  history: fc.tuple(slugish, historyOptions).map(
    ([s, o]) =>
      (m) =>
        m.history(s as never, o as never),
  ),
  historyMany: fc.tuple(fc.oneof(hostile, fc.array(slugish, { maxLength: 3 })), historyOptions).map(
    ([s, o]) =>
      (m) =>
        m.historyMany(s as never, o as never),
  ),
  total: slugish.map((s) => (m) => m.total(s as never)),
  categorySlugs: slugish.map((s) => (m) => m.categorySlugs(s as never)),
  groupSlugs: slugish.map((s) => (m) => m.groupSlugs(s as never)),
  slugInfo: slugish.map((s) => (m) => m.slugInfo(s as never)),
  gauge: slugish.map((s) => (m) => m.gauge(s as never)),
  getCategorySlugs: slugish.map((s) => (m) => m.getCategorySlugs(s as never)),
  setGauge: fc.tuple(slugish, fc.oneof(hostile, fc.double())).map(
    ([s, v]) =>
      (m) =>
        m.setGauge(s as never, v as never),
  ),
  deleteMetric: slugish.map((s) => (m) => m.deleteMetric(s as never)),
  metric: fc.tuple(slugish, fc.oneof(hostile, fc.integer())).map(
    ([s, n]) =>
      (m) =>
        m.metric(s as never, n as never),
  ),
  createMetric: optionsOf({ slug: slugish, name: hostile, description: hostile, unit: hostile }).map(
    (d) => (m) => m.createMetric(d as never),
  ),
  aggregate: optionsOf({ batchSize: hostile, onProgress: hostile, signal: hostile }).map(
    (o) => (m) => m.aggregate(o as never),
  ),
  recordMetrics: optionsOf({
    slug: slugish,
    when: timeish,
    count: fc.oneof(hostile, fc.integer()),
    group: slugish,
    category: slugish,
    minGranularity: granularityish,
    maxGranularity: granularityish,
    args: fc.oneof(hostile, fc.array(hostile, { maxLength: 3 }), fc.constant(["en", 2])),
  }).map((o) => (m) => m.recordMetrics(o as never)),
  dispose: optionsOf({ discard: hostile }).map((o) => (m) => m.dispose(o as never)),
  getMetrics: optionsOf({
    slug: slugish,
    dtStart: timeish,
    dtEnd: timeish,
    granularity: granularityish,
  }).map((o) => (m) => m.getMetrics(o as never)),
};

async function seeded(): Promise<Metrics> {
  const m = createMetrics({ store: memoryStore(), now: () => T0 });
  await m.record("seeded", { by: 7, category: "cat", group: "grp" });
  await m.setGauge("seeded", 3);
  await m.createMetric({ slug: "seeded", name: "Seeded" });
  return m;
}

describe("every public method under hostile arguments", () => {
  for (const [name, call] of Object.entries(calls)) {
    it(`${name}() resolves or rejects with a MetricsError, and a rejection changes nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(call, async (fn) => {
          const m = await seeded();
          const before = await snapshot(m);
          const error = await outcome(() => fn(m));
          if (error) expect(await snapshot(m)).toEqual(before);
          await m.dispose();
        }),
        { numRuns: RUNS },
      );
    });
  }
});

describe("factories and pure helpers under hostile arguments", () => {
  /** `fn` returns, or throws a MetricsError with an input code; never a TypeError. */
  const syncOutcome = (fn: () => unknown): void => {
    try {
      fn();
    } catch (error) {
      checkError(error);
    }
  };

  it("createMetrics() throws MetricsError at once or builds an instance", async () => {
    const options = optionsOf({
      store: fc.oneof(hostile, fc.constant({}), fc.constant({ kind: "x", record: () => 1 })),
      timezone: fc.oneof(hostile, fc.constantFrom("UTC", "Europe/Paris")),
      weekStart: fc.oneof(hostile, fc.constantFrom("monday", "sunday")),
      granularities: rangeish,
      maxPoints: fc.oneof(hostile, fc.integer()),
      maxSlugs: fc.oneof(hostile, fc.integer()),
      capture: fc.oneof(hostile, fc.constant("direct"), optionsOf({ mode: hostile, flushMs: hostile })),
      now: fc.oneof(
        hostile,
        fc.constant(() => T0),
      ),
      logger: fc.oneof(hostile, fc.constant(console)),
    });
    await fc.assert(
      fc.asyncProperty(options, async (o) => {
        let m: Metrics | undefined;
        syncOutcome(() => {
          m = createMetrics(o as never);
        });
        await m?.dispose();
      }),
      { numRuns: 300 },
    );
  });

  it("memoryStore(), createCalendar(), parseInstant() and parseGranularity() throw only MetricsError", () => {
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        syncOutcome(() => memoryStore(a as never));
        syncOutcome(() => createCalendar(a as never));
        syncOutcome(() => parseInstant(a, b as never));
        syncOutcome(() => parseInstant(a));
        syncOutcome(() => parseGranularity(a));
      }),
      { numRuns: 500 },
    );
  });
});
