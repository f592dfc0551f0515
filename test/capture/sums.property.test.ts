import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics, RecordEvent } from "../../src/core/types.js";
import { GRANULARITIES } from "../../src/time/index.js";
import { type Fault, flakyStore } from "./_flaky-store.js";

const T0 = Date.UTC(2024, 4, 1, 10, 30);
const SLUGS = ["a", "b", "c", "d"];

const event = fc.record({
  slug: fc.constantFrom(...SLUGS),
  by: fc.integer({ min: -5, max: 9 }),
  at: fc.integer({ min: 0, max: 40 }).map((m) => T0 + m * 60_000 + 17),
  category: fc.option(fc.constantFrom("c1", "c2"), { nil: undefined }),
  group: fc.option(fc.constantFrom("g1"), { nil: undefined }),
  granularities: fc.constantFrom(undefined, { min: "minutes" }, { min: "days", max: "months" }),
});
type Ev = typeof event extends fc.Arbitrary<infer T> ? T : never;
const step = fc.oneof(
  { weight: 6, arbitrary: event.map((e) => ({ kind: "record" as const, e })) },
  // record(slug) and record(slug, { category }) at the instance clock: the fast path of record().
  {
    weight: 4,
    arbitrary: fc.record({
      slug: fc.constantFrom(...SLUGS),
      category: fc.option(fc.constantFrom("c1", "c2"), { nil: undefined }),
    }),
  },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 150_000 }).map((ms) => ({ kind: "tick" as const, ms })) },
  { weight: 2, arbitrary: fc.array(event, { maxLength: 12 }).map((es) => ({ kind: "many" as const, es })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom<Fault>("none", "down", "lost-reply")
      .map((fault) => ({ kind: "flush" as const, fault })),
  },
);

const clean = (e: Ev): RecordEvent => {
  const out: RecordEvent = { slug: e.slug, by: e.by, at: e.at };
  if (e.category) out.category = e.category;
  if (e.group) out.group = e.group;
  if (e.granularities) out.granularities = e.granularities;
  return out;
};

async function everything(m: Metrics): Promise<unknown> {
  const out: Record<string, unknown> = {};
  for (const slug of SLUGS) {
    out[slug] = await m.slugInfo(slug);
    for (const granularity of GRANULARITIES) {
      // Minutes over one day each side (within maxPoints); the rest over 40 days each side.
      const days = granularity === "minutes" ? 1 : 40;
      out[`${slug}/${granularity}`] = await m
        .history(slug, { from: T0 - 86_400_000 * days, to: T0 + 86_400_000 * days, granularity })
        .catch((e: { code?: string }) => e.code);
    }
  }
  return out;
}

describe("buffered capture sums like direct writes, through failed flushes", () => {
  it("gives the same history on every granularity as direct capture", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 60 }), async (steps) => {
        const store = flakyStore();
        let clock = T0 + 17;
        const now = () => clock;
        const buffered = createMetrics({ store, now, capture: { mode: "buffered", flushMs: 60_000 } });
        const direct = createMetrics({ now });
        for (const s of steps) {
          if (!("kind" in s)) {
            const options = s.category === undefined ? undefined : { category: s.category };
            await buffered.record(s.slug, options);
            await direct.record(s.slug, options);
          } else if (s.kind === "tick") {
            clock += s.ms;
          } else if (s.kind === "record") {
            await buffered.record(s.e.slug, clean(s.e));
            await direct.record(s.e.slug, clean(s.e));
          } else if (s.kind === "many") {
            await buffered.recordMany(s.es.map(clean));
            await direct.recordMany(s.es.map(clean));
          } else {
            store.fault = s.fault;
            await buffered.flush().catch(() => undefined);
            store.fault = "none";
          }
        }
        await buffered.flush();
        expect(await everything(buffered)).toEqual(await everything(direct));
      }),
      { numRuns: 60 },
    );
  });
});
