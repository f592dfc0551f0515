import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { MetricsError } from "../../src/errors.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import type { Store } from "../../src/stores/types.js";

const T0 = Date.UTC(2024, 0, 10, 12);

/** A memory store that counts slugs() calls (the cap's only extra I/O). */
function countingStore(): Store & { listed: number } {
  const inner = memoryStore();
  const store = {
    ...inner,
    listed: 0,
    slugs: async () => {
      store.listed++;
      return inner.slugs();
    },
  };
  return store;
}

describe("maxSlugs", () => {
  it("refuses a new slug past the cap, keeps recording known ones", async () => {
    const m = createMetrics({ maxSlugs: 3, now: () => T0 });
    for (const s of ["a", "b", "c"]) await m.record(s);
    const error = await m.record("d", { category: "new" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsError);
    expect((error as MetricsError).code).toBe("E_TOO_MANY_SLUGS");
    expect((error as MetricsError).message).toMatch(/"d".*maxSlugs \(3\)/);
    await m.record("a", { by: 5 });
    expect(await m.slugs()).toEqual(["a", "b", "c"]);
    expect(await m.categories()).toEqual([]);
    expect(await m.total("a")).toBe(6);
  });

  it("defaults to 10,000", async () => {
    const m = createMetrics({ now: () => T0 });
    await m.recordMany(Array.from({ length: 10_000 }, (_, i) => ({ slug: `s${i}`, by: 0 })));
    await expect(m.record("one_more")).rejects.toMatchObject({ code: "E_TOO_MANY_SLUGS" });
    await m.record("s9999");
  });

  it("refuses a whole batch that would pass the cap, writing nothing", async () => {
    const m = createMetrics({ maxSlugs: 4, now: () => T0 });
    await m.recordMany([{ slug: "a" }, { slug: "b" }]);
    await expect(
      m.recordMany([{ slug: "a" }, { slug: "c" }, { slug: "d" }, { slug: "e" }, { slug: "c" }]),
    ).rejects.toMatchObject({ code: "E_TOO_MANY_SLUGS" });
    expect(await m.slugs()).toEqual(["a", "b"]);
    expect(await m.total("a")).toBe(1);
    await m.recordMany([{ slug: "c" }, { slug: "d" }, { slug: "c" }, { slug: "a" }]);
    expect(await m.slugs()).toEqual(["a", "b", "c", "d"]);
  });

  it("counts slugs already in the store, and frees room on deleteMetric()", async () => {
    const store = countingStore();
    const first = createMetrics({ store, now: () => T0 });
    await first.recordMany([{ slug: "x" }, { slug: "y" }]);
    const m = createMetrics({ store, maxSlugs: 2, now: () => T0 });
    await m.record("x");
    await expect(m.record("z")).rejects.toMatchObject({ code: "E_TOO_MANY_SLUGS" });
    await m.deleteMetric("y");
    await m.record("z");
    expect(await m.slugs()).toEqual(["x", "z"]);
  });

  it("reads the store's slug list once, not per record", async () => {
    const store = countingStore();
    const m = createMetrics({ store, now: () => T0 });
    for (let i = 0; i < 200; i++) await m.record(`s${i % 20}`);
    await m.recordMany([{ slug: "s1" }, { slug: "new" }]);
    expect(store.listed).toBe(1);
  });

  it("re-reads the store at the cap (at most every 10 s) to see slugs deleted elsewhere", async () => {
    const store = memoryStore();
    let now = T0;
    const m = createMetrics({ store, maxSlugs: 2, now: () => now });
    const other = createMetrics({ store, now: () => now });
    await m.recordMany([{ slug: "a" }, { slug: "b" }]);
    await other.deleteMetric("b");
    await expect(m.record("c")).rejects.toMatchObject({ code: "E_TOO_MANY_SLUGS" });
    now += 10_000;
    await m.record("c");
    expect(await m.slugs()).toEqual(["a", "c"]);
  });

  it("frees a slug whose write failed", async () => {
    const inner = memoryStore();
    let fail = true;
    const store: Store = {
      ...inner,
      async record(op) {
        if (fail) throw new MetricsError("E_STORE", "down");
        return inner.record(op);
      },
    };
    const m = createMetrics({ store, maxSlugs: 1, now: () => T0 });
    await expect(m.record("a")).rejects.toMatchObject({ code: "E_STORE" });
    fail = false;
    await m.record("b");
    expect(await m.slugs()).toEqual(["b"]);
  });

  it("Infinity turns the cap off and never lists slugs", async () => {
    const store = countingStore();
    const m = createMetrics({ store, maxSlugs: Number.POSITIVE_INFINITY, now: () => T0 });
    await m.recordMany(Array.from({ length: 50 }, (_, i) => ({ slug: `s${i}` })));
    expect(store.listed).toBe(0);
  });

  it("never lets one instance pass the cap, whatever the order of records, batches and deletes (property)", async () => {
    const step = fc.oneof(
      fc.record({ record: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ batch: fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 4 }) }),
      fc.record({ remove: fc.integer({ min: 0, max: 9 }) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(step, { maxLength: 30 }),
        async (max, steps) => {
          const m = createMetrics({ maxSlugs: max, now: () => T0 });
          for (const s of steps) {
            const before = await m.slugs();
            let error: unknown;
            if ("record" in s) error = await m.record(`s${s.record}`).catch((e: unknown) => e);
            else if ("batch" in s)
              error = await m.recordMany(s.batch.map((i) => ({ slug: `s${i}` }))).catch((e: unknown) => e);
            else await m.deleteMetric(`s${s.remove}`);
            const after = await m.slugs();
            expect(after.length).toBeLessThanOrEqual(max);
            if (error) {
              expect(error).toMatchObject({ code: "E_TOO_MANY_SLUGS" });
              expect(after).toEqual(before);
            } else if ("record" in s || "batch" in s) {
              const wanted = new Set([
                ...before,
                ...("record" in s ? [s.record] : s.batch).map((i) => `s${i}`),
              ]);
              // Refused only when the union would pass the cap.
              expect(after).toEqual([...wanted].sort());
            }
          }
          await m.dispose();
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("maxSlugs also caps gauges and definitions", () => {
  it("refuses a new gauge past the cap, updates known ones, admits one again after deleteMetric", async () => {
    const m = createMetrics({ maxSlugs: 2, now: () => T0 });
    await m.setGauge("g1", 1);
    await m.setGauge("g2", 2);
    const error = await m.setGauge("g3", 3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsError);
    expect((error as MetricsError).code).toBe("E_TOO_MANY_SLUGS");
    expect((error as MetricsError).message).toMatch(/gauge "g3".*maxSlugs \(2\)/);
    await m.setGauge("g1", 10); // a known gauge is updated at the cap
    expect((await m.gauges()).map((g) => [g.slug, g.value])).toEqual([
      ["g1", 10],
      ["g2", 2],
    ]);
    await m.deleteMetric("g2");
    await m.setGauge("g3", 3);
    expect((await m.gauges()).map((g) => g.slug)).toEqual(["g1", "g3"]);
    // Counters have their own cap: two gauges leave room for two counters.
    await m.record("c1");
    await m.record("c2");
    await expect(m.record("c3")).rejects.toMatchObject({ code: "E_TOO_MANY_SLUGS" });
    await m.dispose();
  });

  it("refuses a new definition past the cap and redefines known ones", async () => {
    const m = createMetrics({ maxSlugs: 1, now: () => T0 });
    await m.createMetric({ slug: "a", name: "A" });
    await expect(m.createMetric({ slug: "b", name: "B" })).rejects.toMatchObject({
      code: "E_TOO_MANY_SLUGS",
      message: expect.stringMatching(/definition "b"/),
    });
    await m.createMetric({ slug: "a", name: "A again" });
    expect(await m.definitions()).toEqual([expect.objectContaining({ slug: "a", name: "A again" })]);
    await m.dispose();
  });

  it("sees gauges that another instance wrote to the same store before this one started", async () => {
    const store = memoryStore();
    const first = createMetrics({ store, maxSlugs: 5, now: () => T0 });
    for (let i = 0; i < 5; i++) await first.setGauge(`g${i}`, i);
    const second = createMetrics({ store, maxSlugs: 5, now: () => T0 });
    await expect(second.setGauge("g9", 1)).rejects.toMatchObject({ code: "E_TOO_MANY_SLUGS" });
    await second.setGauge("g0", 7);
    expect((await store.gauges()).length).toBe(5);
  });

  it("property: gauges and definitions never pass the cap, and a refused call changes nothing", async () => {
    const step = fc.oneof(
      fc.record({ gauge: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ define: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ remove: fc.integer({ min: 0, max: 7 }) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.array(step, { maxLength: 30 }),
        async (max, steps) => {
          const m = createMetrics({ maxSlugs: max, now: () => T0 });
          for (const s of steps) {
            const gauges = (await m.gauges()).map((g) => g.slug);
            const defs = (await m.definitions()).map((d) => d.slug);
            let error: unknown;
            if ("gauge" in s) error = await m.setGauge(`s${s.gauge}`, s.gauge).catch((e: unknown) => e);
            else if ("define" in s)
              error = await m.createMetric({ slug: `s${s.define}`, name: "n" }).then(
                () => undefined,
                (e: unknown) => e,
              );
            else await m.deleteMetric(`s${s.remove}`);
            const gaugesAfter = (await m.gauges()).map((g) => g.slug);
            const defsAfter = (await m.definitions()).map((d) => d.slug);
            expect(gaugesAfter.length).toBeLessThanOrEqual(max);
            expect(defsAfter.length).toBeLessThanOrEqual(max);
            if (error) {
              expect(error).toMatchObject({ code: "E_TOO_MANY_SLUGS" });
              expect([gaugesAfter, defsAfter]).toEqual([gauges, defs]);
            } else if ("gauge" in s) {
              expect(gaugesAfter).toContain(`s${s.gauge}`);
            } else if ("define" in s) {
              expect(defsAfter).toContain(`s${s.define}`);
            }
            // Refused only when the name is new and the cap is reached.
            if (error && "gauge" in s) expect(gauges.length).toBe(max);
            if (error && "define" in s) expect(defs.length).toBe(max);
          }
          await m.dispose();
        },
      ),
      { numRuns: 100 },
    );
  });
});
