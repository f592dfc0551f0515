import fc from "fast-check";
import { expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics, RecordEvent } from "../../src/core/types.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { GRANULARITIES, type Granularity } from "../../src/time/index.js";
import type { StoreNamespace } from "./suite.js";

const T0 = Date.UTC(2024, 2, 30); // spans the Europe/Berlin spring-forward night
const SPAN = 3 * 86_400_000;

const recordArb = fc.record({
  slug: fc.constantFrom("a", "b", "c:x"),
  by: fc.integer({ min: -5, max: 1_000_000 }),
  at: fc.integer({ min: T0, max: T0 + SPAN }),
  category: fc.option(fc.constantFrom("k1", "k2"), { nil: undefined }),
  group: fc.option(fc.constantFrom("g1"), { nil: undefined }),
  range: fc.constantFrom<[Granularity, Granularity]>(
    ["minutes", "hours"],
    ["hours", "years"],
    ["days", "months"],
    ["minutes", "years"],
  ),
  many: fc.boolean(),
});

/** Everything observable about a metrics instance, for comparison. */
async function snapshot(m: Metrics) {
  const slugs = await m.slugs();
  const out: Record<string, unknown> = {
    slugs,
    categories: await m.categories(),
    groups: await m.groups(),
    k1: await m.categorySlugs("k1"),
  };
  for (const slug of slugs) {
    out[`${slug}:total`] = await m.total(slug);
    out[`${slug}:info`] = await m.slugInfo(slug);
    for (const granularity of GRANULARITIES) {
      const rows = await m
        .history(slug, { from: T0, to: T0 + SPAN, granularity })
        .then((r) => r.map((x) => `${x.start.toISOString()}=${x.count}`).join(","))
        .catch((e: { code?: string }) => e.code);
      out[`${slug}:${granularity}`] = rows;
    }
  }
  return out;
}

/**
 * Property: any sequence of records (single or batched) gives the same
 * histories, totals and registries on `namespace` as on the memory store.
 */
export function storeEquivalence(name: string, namespace: () => Promise<StoreNamespace>, runs = 12): void {
  it(`${name} answers like the memory store for any record sequence`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { minLength: 1, maxLength: 25 }), async (records) => {
        const ns = await namespace();
        const options = { timezone: "Europe/Berlin", now: () => T0 + SPAN };
        const subject = createMetrics({ ...options, store: ns.open() });
        const oracle = createMetrics({ ...options, store: memoryStore() });
        try {
          for (const m of [subject, oracle]) {
            let batch: RecordEvent[] = [];
            for (const r of records) {
              const event: RecordEvent = {
                slug: r.slug,
                by: r.by,
                at: r.at,
                granularities: { min: r.range[0], max: r.range[1] },
                ...(r.category && { category: r.category }),
                ...(r.group && { group: r.group }),
              };
              if (r.many) batch.push(event);
              else await m.record(event.slug, event);
            }
            if (batch.length) await m.recordMany(batch);
            batch = [];
          }
          expect(await snapshot(subject)).toEqual(await snapshot(oracle));
        } finally {
          await subject.dispose();
          await oracle.dispose();
          await ns.cleanup();
        }
      }),
      { numRuns: runs },
    );
  });
}
