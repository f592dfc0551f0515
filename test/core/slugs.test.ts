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
