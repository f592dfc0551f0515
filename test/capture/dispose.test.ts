import { describe, expect, it, vi } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { flakyStore } from "./_flaky-store.js";

const T0 = Date.UTC(2024, 4, 1, 10, 30);
const capture = { mode: "buffered" as const, flushMs: 60_000, writeTimeoutMs: 200 };

describe("buffered capture: dispose() and flush() are retryable until drained", () => {
  it("keeps 10 accepted records through a failed dispose and writes them once the store is back", async () => {
    const store = flakyStore();
    const m = createMetrics({ store, capture, now: () => T0 });
    for (let i = 0; i < 10; i++) await m.record("orders");
    store.fault = "down";
    await expect(m.dispose()).rejects.toMatchObject({ code: "E_STORE" });
    await expect(m.record("orders")).rejects.toMatchObject({ code: "E_DISPOSED" });
    await expect(m.flush()).rejects.toMatchObject({ code: "E_STORE" });
    expect(await m.captureStats()).toMatchObject({ pendingBatches: 1, pendingBatchSums: 1 });
    store.fault = "none";
    await m.flush();
    await m.dispose();
    expect(await store.total("orders")).toBe(10);
    await expect(m.flush()).rejects.toMatchObject({ code: "E_DISPOSED" });
  });

  it("a second dispose() after the store returns drains too; a lost reply is not applied twice", async () => {
    const store = flakyStore();
    const m = createMetrics({ store, capture, now: () => T0 });
    await m.recordMany([
      { slug: "a", by: 3 },
      { slug: "b", by: 4 },
      { slug: "a", by: 5 },
    ]);
    store.fault = "lost-reply";
    await expect(m.dispose()).rejects.toMatchObject({ code: "E_STORE" });
    store.fault = "none";
    await m.dispose();
    await m.dispose();
    expect([await store.total("a"), await store.total("b")]).toEqual([8, 4]);
    expect(new Set(store.batchIds).size).toBe(1);
  });

  it("never hangs: a store call that never answers rejects with E_STORE and the batch keeps its id", async () => {
    const store = flakyStore();
    const m = createMetrics({ store, capture, now: () => T0 });
    await m.record("hangs", { by: 7 });
    store.fault = "hang";
    await expect(m.flush()).rejects.toMatchObject({ code: "E_STORE" });
    await expect(m.dispose()).rejects.toMatchObject({ code: "E_STORE" });
    store.fault = "none";
    await m.dispose();
    expect(await store.total("hangs")).toBe(7);
    expect(store.batchIds.length).toBe(3);
    expect(new Set(store.batchIds).size).toBe(1);
  });

  it("drops records only on dispose({ discard: true }), and says how many", async () => {
    const store = flakyStore();
    const warn = vi.fn();
    const m = createMetrics({ store, capture, now: () => T0, logger: { warn, error: vi.fn() } });
    await m.record("x");
    await m.record("y");
    store.fault = "down";
    await expect(m.dispose()).rejects.toMatchObject({ code: "E_STORE" });
    await m.dispose({ discard: true });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("dropped 2 unwritten sums"));
    store.fault = "none";
    expect(await store.total("x")).toBe(0);
  });

  it("refuses new distinct sums at maxPending but keeps summing the ones it holds", async () => {
    const store = flakyStore();
    const m = createMetrics({ store, capture: { ...capture, maxPending: 2 }, now: () => T0 });
    await m.record("p1");
    await m.record("p2");
    await expect(m.record("p3")).rejects.toMatchObject({ code: "E_BACKPRESSURE" });
    await expect(m.recordMany([{ slug: "p1" }, { slug: "p4" }])).rejects.toMatchObject({
      code: "E_BACKPRESSURE",
    });
    for (let i = 0; i < 100; i++) await m.record("p1");
    expect(await m.captureStats()).toMatchObject({ pendingSums: 2 });
    await m.dispose();
    expect([await store.total("p1"), await store.total("p2"), await store.total("p4")]).toEqual([101, 1, 0]);
  });

  it("recordMany is all or none when a sum would pass a safe integer", async () => {
    const store = flakyStore();
    const m = createMetrics({ store, capture, now: () => T0 });
    await m.record("big", { by: Number.MAX_SAFE_INTEGER - 1 });
    await expect(m.recordMany([{ slug: "other" }, { slug: "big", by: 2 }])).rejects.toMatchObject({
      code: "E_COUNT_OVERFLOW",
    });
    await expect(m.record("big", { by: 2 })).rejects.toMatchObject({ code: "E_COUNT_OVERFLOW" });
    await m.dispose();
    expect([await store.total("big"), await store.total("other")]).toEqual([Number.MAX_SAFE_INTEGER - 1, 0]);
  });
});
