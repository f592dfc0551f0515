import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { MetricsError } from "../../src/errors.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { snapshot } from "./_hostile.js";

const T0 = Date.UTC(2024, 0, 10, 12);

/** `[{ slug: "a" }, <hole>, { slug: "b" }]` */
function sparse(): never {
  const events: unknown[] = [{ slug: "a" }];
  events[2] = { slug: "b" };
  return events as never;
}

/** The error `fn` throws synchronously. */
function thrown(fn: () => unknown): MetricsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MetricsError);
    return error as MetricsError;
  }
  throw new Error("did not throw");
}

describe("createMetrics() checks its options at once", () => {
  it.each([
    ["null", null, "E_INVALID_OPTION"],
    ["an array", [], "E_INVALID_OPTION"],
    ["a string", "UTC", "E_INVALID_OPTION"],
    ["now: 5", { now: 5 }, "E_INVALID_OPTION"],
    ["store: {}", { store: {} }, "E_INVALID_OPTION"],
    ["store: null", { store: null }, "E_INVALID_OPTION"],
    ["a store missing a method", { store: { ...memoryStore(), read: undefined } }, "E_INVALID_OPTION"],
    ["logger: {}", { logger: {} }, "E_INVALID_OPTION"],
    ["timezone: 5", { timezone: 5 }, "E_INVALID_TIMEZONE"],
    ["timezone: null", { timezone: null }, "E_INVALID_TIMEZONE"],
    ["weekStart: null", { weekStart: null }, "E_INVALID_OPTION"],
    ["maxPoints: null", { maxPoints: null }, "E_INVALID_OPTION"],
    ["maxSlugs: 0", { maxSlugs: 0 }, "E_INVALID_OPTION"],
    ["maxSlugs: -Infinity", { maxSlugs: Number.NEGATIVE_INFINITY }, "E_INVALID_OPTION"],
    ["granularities: a symbol", { granularities: Symbol("g") }, "E_INVALID_OPTION"],
    ["granularities: an array", { granularities: ["hours"] }, "E_INVALID_OPTION"],
    ["granularities.min: a symbol", { granularities: { min: Symbol("g") } }, "E_INVALID_GRANULARITY"],
    ["granularities.min: null", { granularities: { min: null } }, "E_INVALID_GRANULARITY"],
    [
      "granularities.min: a null-prototype object",
      { granularities: { min: Object.create(null) } },
      "E_INVALID_GRANULARITY",
    ],
    [
      "capture: { mode: 'buffered', flush: 5 }",
      { capture: { mode: "buffered", flush: 5 } },
      "E_INVALID_OPTION",
    ],
    ["an unknown key", { timeZone: "Europe/Paris" }, "E_INVALID_OPTION"],
  ])("%s", (_label, options, code) => {
    expect(thrown(() => createMetrics(options as never)).code).toBe(code);
  });

  it("names a store's missing methods", () => {
    expect(thrown(() => createMetrics({ store: {} as never })).message).toMatch(
      /kind, attach, record, recordBatch/,
    );
  });

  it("names an unknown key and the nearest valid one", () => {
    expect(thrown(() => createMetrics({ timeZone: "UTC" } as never)).message).toMatch(
      /"timeZone".*did you mean "timezone"/,
    );
    expect(thrown(() => createMetrics({ maxPoint: 5 } as never)).message).toMatch(/did you mean "maxPoints"/);
  });

  it("accepts a null-prototype options object and explicit undefined values", async () => {
    const o = Object.assign(Object.create(null), { timezone: undefined, now: () => T0 });
    const m = createMetrics(o);
    await m.record("x", { at: undefined, by: undefined } as never);
    expect(await m.total("x")).toBe(1);
  });

  it("memoryStore() takes no options", () => {
    expect(thrown(() => memoryStore(null as never)).code).toBe("E_INVALID_OPTION");
    expect(thrown(() => memoryStore({ size: 5 } as never)).message).toContain('"size"');
    expect(() => memoryStore({})).not.toThrow();
  });
});

describe("methods refuse unknown option keys", () => {
  it('record("s", { count: 5 }) records nothing and says to use "by"', async () => {
    const m = createMetrics({ now: () => T0 });
    const error = await m.record("s", { count: 5 } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsError);
    expect((error as MetricsError).code).toBe("E_INVALID_OPTION");
    expect((error as MetricsError).message).toMatch(/"count".*did you mean "by"/);
    expect(await m.slugs()).toEqual([]);
  });

  it.each([
    [
      "history",
      (m: ReturnType<typeof createMetrics>) =>
        m.history("x", { from: T0, granularity: "hours", start: 1 } as never),
      "from",
    ],
    [
      "recordMany",
      (m: ReturnType<typeof createMetrics>) => m.recordMany([{ slug: "a", when: T0 } as never]),
      "at",
    ],
    [
      "recordMetrics",
      (m: ReturnType<typeof createMetrics>) => m.recordMetrics({ slug: "a", by: 5 } as never),
      "count",
    ],
    [
      "getMetrics",
      (m: ReturnType<typeof createMetrics>) =>
        m.getMetrics({ slug: "a", dtStart: T0, granularity: "hours", to: T0 } as never),
      "dtEnd",
    ],
    [
      "createMetric",
      (m: ReturnType<typeof createMetrics>) => m.createMetric({ slug: "a", name: "A", units: "s" } as never),
      "unit",
    ],
    [
      "aggregate",
      (m: ReturnType<typeof createMetrics>) => m.aggregate({ batchsize: 5 } as never),
      "batchSize",
    ],
    [
      "record granularities",
      (m: ReturnType<typeof createMetrics>) =>
        m.record("a", { granularities: { minimum: "hours" } } as never),
      "min",
    ],
  ])("%s", async (_name, call, suggestion) => {
    const m = createMetrics({ now: () => T0 });
    const error = (await call(m).catch((e: unknown) => e)) as MetricsError;
    expect(error).toBeInstanceOf(MetricsError);
    expect(error.code).toBe("E_INVALID_OPTION");
    expect(error.message).toContain(`did you mean "${suggestion}"`);
    expect(await m.slugs()).toEqual([]);
  });

  it("any unknown key in record() options is refused and names the key (property)", async () => {
    const known = ["by", "at", "category", "group", "granularities", "slug"];
    const m = createMetrics({ now: () => T0 });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !known.includes(k)),
        fc.anything(),
        async (key, value) => {
          const options = { by: 2 };
          Object.defineProperty(options, key, { value, enumerable: true });
          const error = (await m.record("p", options).catch((e: unknown) => e)) as MetricsError;
          expect(error.code).toBe("E_INVALID_OPTION");
          expect(error.message).toContain(JSON.stringify(key).slice(0, 20));
        },
      ),
      { numRuns: 200 },
    );
    expect(await m.slugs()).toEqual([]);
  });

  it("a record() options slug must match the slug argument", async () => {
    const m = createMetrics({ now: () => T0 });
    await m.record("a", { slug: "a", by: 2 } as never);
    await expect(m.record("a", { slug: "b" } as never)).rejects.toMatchObject({ code: "E_INVALID_OPTION" });
    expect(await m.total("a")).toBe(2);
    expect(await m.total("b")).toBe(0);
  });
});

describe("bad values are refused with a code, before any write", () => {
  it.each([
    [
      "record('a', null)",
      (m: ReturnType<typeof createMetrics>) => m.record("a", null as never),
      "E_INVALID_OPTION",
    ],
    [
      "by: null",
      (m: ReturnType<typeof createMetrics>) => m.record("a", { by: null } as never),
      "E_INVALID_COUNT",
    ],
    [
      "by: 1n",
      (m: ReturnType<typeof createMetrics>) => m.record("a", { by: 1n } as never),
      "E_INVALID_COUNT",
    ],
    [
      "at: null",
      (m: ReturnType<typeof createMetrics>) => m.record("a", { at: null } as never),
      "E_INVALID_DATE",
    ],
    ["at: '1'", (m: ReturnType<typeof createMetrics>) => m.record("a", { at: "1" }), "E_INVALID_DATE"],
    [
      "granularities: Symbol",
      (m: ReturnType<typeof createMetrics>) => m.record("a", { granularities: Symbol() } as never),
      "E_INVALID_OPTION",
    ],
    [
      "granularities: []",
      (m: ReturnType<typeof createMetrics>) => m.record("a", { granularities: [] } as never),
      "E_INVALID_OPTION",
    ],
    [
      "granularities.max: Symbol",
      (m: ReturnType<typeof createMetrics>) => m.record("a", { granularities: { max: Symbol() } } as never),
      "E_INVALID_GRANULARITY",
    ],
    [
      "args holding an object",
      (m: ReturnType<typeof createMetrics>) => m.recordMetrics({ slug: "a", args: [{}] } as never),
      "E_INVALID_SLUG",
    ],
    [
      "args holding a null-prototype object",
      (m: ReturnType<typeof createMetrics>) =>
        m.recordMetrics({ slug: "a", args: [Object.create(null)] } as never),
      "E_INVALID_SLUG",
    ],
    [
      "count: null",
      (m: ReturnType<typeof createMetrics>) => m.recordMetrics({ slug: "a", count: null } as never),
      "E_INVALID_COUNT",
    ],
    [
      "getMetrics(null)",
      (m: ReturnType<typeof createMetrics>) => m.getMetrics(null as never),
      "E_INVALID_OPTION",
    ],
    [
      "recordMany([null])",
      (m: ReturnType<typeof createMetrics>) => m.recordMany([{ slug: "a" }, null as never]),
      "E_INVALID_OPTION",
    ],
    [
      "recordMany(sparse)",
      (m: ReturnType<typeof createMetrics>) => m.recordMany(sparse()),
      "E_INVALID_OPTION",
    ],
    [
      "aggregate signal",
      (m: ReturnType<typeof createMetrics>) => m.aggregate({ signal: {} } as never),
      "E_INVALID_OPTION",
    ],
  ])("%s", async (_label, call, code) => {
    const m = createMetrics({ now: () => T0 });
    await m.record("kept", { by: 3 });
    const before = await snapshot(m);
    const error = await call(m).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsError);
    expect((error as MetricsError).code).toBe(code);
    expect(await snapshot(m)).toEqual(before);
  });

  it("names the failing event of a batch", async () => {
    const m = createMetrics({ now: () => T0 });
    await expect(m.recordMany([{ slug: "a" }, { slug: "a", by: 1.5 }])).rejects.toThrow(
      /^events\[1\]: Invalid count/,
    );
  });

  it("getMetrics() reads up to now when dtEnd is left out", async () => {
    const m = createMetrics({ now: () => T0 });
    await m.recordMetrics({ slug: "seed", args: ["en", 2], count: 4 });
    expect(await m.getMetrics({ slug: "seed:en:2", dtStart: T0, granularity: "hours" })).toEqual([
      { start: new Date(T0), count: 4 },
    ]);
  });
});
