import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { MetricsError } from "../../src/errors.js";
import { createApp } from "../../src/server/index.js";

const KEYS = ["auth", "basePath", "maxBodyBytes", "maxEvents", "dashboard", "now", "logger"];

function thrown(make: () => unknown): MetricsError {
  let error: unknown;
  try {
    make();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(MetricsError);
  expect((error as MetricsError).code).toBe("E_INVALID_OPTION");
  return error as MetricsError;
}

describe("createApp() arguments", () => {
  const metrics = createMetrics();

  it("refuses something that is not a metrics instance, synchronously", () => {
    for (const m of [undefined, null, {}, 5, "m", { store: {} }, []]) {
      expect(thrown(() => createApp(m as never)).message).toMatch(/needs a metrics instance/);
    }
  });

  it("refuses options that are not a plain object", () => {
    for (const options of [null, 5, "x", [], new Date(), () => {}]) {
      expect(thrown(() => createApp(metrics, options as never)).message).toMatch(/options object/);
    }
  });

  it("refuses bad values: now: 5, a logger without methods, dashboard: 'no', maxEvents: 0", () => {
    expect(thrown(() => createApp(metrics, { now: 5 as never })).message).toMatch(/now must be a function/);
    expect(thrown(() => createApp(metrics, { logger: {} as never })).message).toMatch(/logger/);
    expect(thrown(() => createApp(metrics, { logger: null as never })).message).toMatch(/logger/);
    expect(thrown(() => createApp(metrics, { dashboard: "no" as never })).message).toMatch(/dashboard/);
    expect(thrown(() => createApp(metrics, { maxEvents: 0 })).message).toMatch(/maxEvents/);
    expect(thrown(() => createApp(metrics, { maxBodyBytes: 1.5 })).message).toMatch(/maxBodyBytes/);
    expect(thrown(() => createApp(metrics, { basePath: "/x/" })).message).toMatch(/basePath/);
    expect(thrown(() => createApp(metrics, { auth: null as never })).message).toMatch(/auth/);
  });

  it("names the unknown key and the nearest valid one", () => {
    expect(thrown(() => createApp(metrics, { tokens: [] } as never)).message).toMatch(
      /Unknown createApp\(\) option key "tokens"; did you mean "auth"\?|did you mean/,
    );
    expect(thrown(() => createApp(metrics, { basepath: "/m" } as never)).message).toMatch(
      /"basepath".*did you mean "basePath"/,
    );
    expect(thrown(() => createApp(metrics, { maxBody: 5 } as never)).message).toMatch(
      /did you mean "maxBodyBytes"/,
    );
    expect(thrown(() => createApp(metrics, { [Symbol("s")]: 1 } as never)).message).toMatch(/Symbol\(s\)/);
  });

  it("refuses every unknown key (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((k) => !KEYS.includes(k)),
        fc.anything(),
        (key, value) => {
          const options = JSON.parse("{}") as Record<string, unknown>;
          Object.defineProperty(options, key, { value, enumerable: true });
          const error = thrown(() => createApp(metrics, options as never));
          expect(error.message).toContain(JSON.stringify(key));
        },
      ),
    );
  });
});
