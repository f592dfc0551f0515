import { describe, expect, it } from "vitest";
import { MetricsError } from "../../src/errors.js";
import {
  GRANULARITIES,
  type Granularity,
  granularityRange,
  isGranularity,
  nestsIn,
  parseGranularity,
  rankOf,
} from "../../src/time/index.js";

/** Runs `fn`, expecting a MetricsError; returns it. */
function thrown(fn: () => unknown): MetricsError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MetricsError);
    return error as MetricsError;
  }
  throw new Error("expected a MetricsError, nothing was thrown");
}

describe("parseGranularity", () => {
  it.each([
    ["minutes", "minutes"],
    ["minute", "minutes"],
    ["minutely", "minutes"],
    ["min", "minutes"],
    ["mins", "minutes"],
    ["m", "minutes"],
    ["hour", "hours"],
    ["hourly", "hours"],
    ["h", "hours"],
    ["day", "days"],
    ["daily", "days"],
    ["d", "days"],
    ["week", "weeks"],
    ["weekly", "weeks"],
    ["w", "weeks"],
    ["month", "months"],
    ["monthly", "months"],
    ["year", "years"],
    ["yearly", "years"],
    ["annual", "years"],
    ["annually", "years"],
    ["y", "years"],
    ["Weeks", "weeks"],
    ["DAILY", "days"],
    ["Hours", "hours"],
  ])("reads %j as %s", (input, expected) => {
    expect(parseGranularity(input)).toBe(expected);
    expect(isGranularity(input)).toBe(true);
  });

  it("accepts every canonical name", () => {
    for (const g of GRANULARITIES) expect(parseGranularity(g)).toBe(g);
  });

  it.each([
    "fortnight",
    "",
    " hours",
    "hours ",
    "total",
    "constructor",
    "__proto__",
    "toString",
    "hasOwnProperty",
    5,
    null,
    undefined,
    {},
    ["hours"],
  ])("rejects %j with E_INVALID_GRANULARITY naming it", (input) => {
    const error = thrown(() => parseGranularity(input));
    expect(error.code).toBe("E_INVALID_GRANULARITY");
    if (typeof input === "string") expect(error.message).toContain(JSON.stringify(input));
    expect(isGranularity(input)).toBe(false);
  });

  it("names the value and the valid choices", () => {
    expect(thrown(() => parseGranularity("fortnight")).message).toBe(
      'Unknown granularity "fortnight"; use one of minutes, hours, days, weeks, months, years',
    );
    expect(thrown(() => parseGranularity(5)).message).toContain("granularity 5;");
  });
});

describe("nestsIn", () => {
  it("holds for every finer/coarser pair except weeks into months and years", () => {
    const nested: string[] = [];
    for (const fine of GRANULARITIES) {
      for (const coarse of GRANULARITIES) if (nestsIn(fine, coarse)) nested.push(`${fine}>${coarse}`);
    }
    expect(nested).toEqual([
      "minutes>hours",
      "minutes>days",
      "minutes>weeks",
      "minutes>months",
      "minutes>years",
      "hours>days",
      "hours>weeks",
      "hours>months",
      "hours>years",
      "days>weeks",
      "days>months",
      "days>years",
      "months>years",
    ]);
    expect(nestsIn("weeks", "months")).toBe(false);
    expect(nestsIn("weeks", "years")).toBe(false);
    expect(nestsIn("days", "days")).toBe(false);
    expect(nestsIn("years", "days")).toBe(false);
  });
});

describe("granularityRange and rankOf", () => {
  it("lists the granularities from min to max", () => {
    expect(granularityRange("hours", "days")).toEqual(["hours", "days"]);
    expect(granularityRange("weeks", "weeks")).toEqual(["weeks"]);
    expect(granularityRange("minutes", "years")).toEqual([...GRANULARITIES]);
    expect(GRANULARITIES.map((g: Granularity) => rankOf(g))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("rejects min coarser than max, naming both", () => {
    const error = thrown(() => granularityRange("days", "hours"));
    expect(error.code).toBe("E_INVALID_GRANULARITY");
    expect(error.message).toContain('"days"');
    expect(error.message).toContain('"hours"');
  });
});
