import { describe, expect, it } from "vitest";
import { MetricsError } from "../../src/errors.js";
import { parseDuration } from "../../src/time/index.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("parseDuration", () => {
  it.each([
    ["90s", 90 * SECOND],
    ["15m", 15 * MINUTE],
    ["36h", 36 * HOUR],
    ["90d", 90 * DAY],
    ["2w", 14 * DAY],
    ["1y", 365 * DAY],
    [" 7d ", 7 * DAY],
    ["5 h", 5 * HOUR],
    ["007d", 7 * DAY],
    [1, 1],
    [86_400_000, DAY],
  ])("reads %j as %d ms", (input, expected) => {
    expect(parseDuration(input)).toBe(expected);
  });

  it.each([
    "0d",
    "-1d",
    "1.5h",
    "10x",
    "10",
    "d",
    "",
    "90D",
    "1 day",
    "1000000000s",
    "999999999y",
    0,
    -5,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    2 ** 53,
  ])("rejects %j with E_INVALID_OPTION naming it", (input) => {
    let error: unknown;
    try {
      parseDuration(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MetricsError);
    expect((error as MetricsError).code).toBe("E_INVALID_OPTION");
    expect((error as MetricsError).message).toContain(
      typeof input === "string" ? JSON.stringify(input) : String(input),
    );
  });

  it("rejects values that are not strings or numbers", () => {
    for (const input of [null, undefined, {}, ["1d"]]) {
      expect(() => parseDuration(input as unknown as string)).toThrow(MetricsError);
    }
  });
});
