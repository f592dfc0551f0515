import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { MetricsError } from "../../src/errors.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import type { Store } from "../../src/stores/types.js";

const T0 = Date.UTC(2024, 4, 1, 10);

describe("createMetrics options", () => {
  it.each([
    [{ timezone: "Mars/Olympus" }, "E_INVALID_TIMEZONE"],
    [{ weekStart: "friday" as "monday" }, "E_INVALID_OPTION"],
    [{ granularities: { min: "fortnight" as "hours" } }, "E_INVALID_GRANULARITY"],
    [{ granularities: { min: "years" as const, max: "minutes" as const } }, "E_INVALID_GRANULARITY"],
    [{ maxPoints: 0 }, "E_INVALID_OPTION"],
    [{ capture: "sometimes" as "direct" }, "E_INVALID_OPTION"],
    [{ capture: { mode: "buffered" as const, flushMs: -1 } }, "E_INVALID_OPTION"],
  ])("throws at once for %j", (options, code) => {
    expect(() => createMetrics(options)).toThrowError(expect.objectContaining({ code }));
  });

  it("names the bad value in the message", () => {
    expect(() => createMetrics({ timezone: "Mars/Olympus" })).toThrow(/"Mars\/Olympus"/);
  });

  it("never throws synchronously from async methods", async () => {
    const m = createMetrics();
    const p = m.record("bad slug!");
    expect(p).toBeInstanceOf(Promise);
    const error = await p.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsError);
    expect((error as MetricsError).message).toContain('"bad slug!"');
    await expect(m.history(undefined as unknown as string, undefined as never)).rejects.toBeInstanceOf(
      MetricsError,
    );
    await expect(m.recordMany("nope" as never)).rejects.toMatchObject({ code: "E_INVALID_OPTION" });
    await expect(m.getMetrics(undefined as never)).rejects.toBeInstanceOf(MetricsError);
  });

  it("uses the injected clock and the default granularity range", async () => {
    const m = createMetrics({ now: () => T0, granularities: { min: "minutes", max: "hours" } });
    await m.record("clocked");
    expect(await m.history("clocked", { from: T0, granularity: "minutes" })).toEqual([
      { start: new Date(T0), count: 1 },
    ]);
    expect((await m.slugInfo("clocked"))?.granularities).toEqual(["minutes", "hours"]);
    await expect(m.history("clocked", { from: T0, granularity: "days" })).resolves.toEqual([
      { start: new Date(Date.UTC(2024, 4, 1)), count: 1 },
    ]);
  });

  it("caps history size with maxPoints", async () => {
    const m = createMetrics({ maxPoints: 24, now: () => T0 });
    await expect(m.history("x", { from: T0 - 23 * 3_600_000, granularity: "hours" })).resolves.toHaveLength(
      24,
    );
    await expect(m.history("x", { from: T0 - 24 * 3_600_000, granularity: "hours" })).rejects.toMatchObject({
      code: "E_RANGE_TOO_LARGE",
    });
  });

  it("reports E_UNSUPPORTED for aggregate on a store without items", async () => {
    await expect(createMetrics().aggregate()).rejects.toMatchObject({ code: "E_UNSUPPORTED" });
  });
});

/** A memory store whose recordBatch fails after applying, like a reply lost on a dropped connection. */
function lossyStore(failures: number): Store & { calls: string[] } {
  const inner = memoryStore();
  const calls: string[] = [];
  let left = failures;
  return {
    ...inner,
    calls,
    async recordBatch(ops, options) {
      calls.push(options?.batchId ?? "none");
      await inner.recordBatch(ops, options);
      if (left-- > 0) throw new MetricsError("E_STORE", "connection reset after write");
    },
  };
}

describe("buffered capture", () => {
  it("sums per slug and minute and applies a retried batch exactly once", async () => {
    const store = lossyStore(1);
    const m = createMetrics({ store, capture: { mode: "buffered", flushMs: 60_000 }, now: () => T0 });
    for (let i = 0; i < 100; i++) await m.record("clicks", { at: T0 + (i % 2) * 60_000 });
    await expect(m.flush()).rejects.toMatchObject({ code: "E_STORE" });
    await m.flush();
    expect(store.calls).toHaveLength(2);
    expect(store.calls[0]).toBe(store.calls[1]);
    expect(await m.total("clicks")).toBe(100);
    const minutes = await m.history("clicks", { from: T0, to: T0 + 60_000, granularity: "hours" });
    expect(minutes[0]?.count).toBe(100);
    await m.dispose();
  });

  it("refuses records past maxPending and drains on dispose", async () => {
    const store = memoryStore();
    const m = createMetrics({
      store,
      capture: { mode: "buffered", flushMs: 60_000, maxPending: 3 },
      now: () => T0,
    });
    await m.record("a");
    await m.record("b");
    await m.record("a"); // same slug and minute: still 2 pending sums
    await m.record("c");
    await expect(m.record("d")).rejects.toMatchObject({ code: "E_BACKPRESSURE" });
    expect(await store.total("a")).toBe(0);
    await m.dispose();
    expect([
      await store.total("a"),
      await store.total("b"),
      await store.total("c"),
      await store.total("d"),
    ]).toEqual([2, 1, 1, 0]);
  });

  it("flushes on its timer", async () => {
    const store = memoryStore();
    const m = createMetrics({ store, capture: { mode: "buffered", flushMs: 20 } });
    await m.record("timed", { by: 3 });
    await expect.poll(() => store.total("timed"), { timeout: 5000 }).toBe(3);
    await m.dispose();
  });
});

describe("buffered capture sums", () => {
  it("refuses a record whose buffered sum would pass a safe integer, keeping what was accepted", async () => {
    const store = memoryStore();
    const m = createMetrics({ store, capture: { mode: "buffered", flushMs: 60_000 }, now: () => T0 });
    await m.record("big", { by: Number.MAX_SAFE_INTEGER - 1 });
    await expect(m.record("big", { by: 2 })).rejects.toMatchObject({ code: "E_COUNT_OVERFLOW" });
    await expect(m.recordMany([{ slug: "other" }, { slug: "big", by: 5 }])).rejects.toMatchObject({
      code: "E_COUNT_OVERFLOW",
    });
    await m.flush();
    expect(await store.total("big")).toBe(Number.MAX_SAFE_INTEGER - 1);
    expect(await store.slugs()).toEqual(["big"]);
    await m.dispose();
  });
});
