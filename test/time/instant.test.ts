import { describe, expect, it } from "vitest";
import { MetricsError } from "../../src/errors.js";
import { createCalendar, parseInstant } from "../../src/time/index.js";

const iso = (t: number) => new Date(t).toISOString();

describe("parseInstant", () => {
  it.each([
    // A date is local midnight (the day's first instant) in the zone given.
    ["2024-01-01", "America/New_York", "2024-01-01T05:00:00.000Z"],
    ["2024-01-31", "America/New_York", "2024-01-31T05:00:00.000Z"],
    ["2024-07-01", "Europe/Paris", "2024-06-30T22:00:00.000Z"],
    ["2024-01-01", "UTC", "2024-01-01T00:00:00.000Z"],
    // Santiago skips midnight on 8 September 2024: the day begins at 01:00 (-03).
    ["2024-09-08", "America/Santiago", "2024-09-08T04:00:00.000Z"],
    // Havana falls back from 01:00 to midnight: the first midnight counts.
    ["2020-11-01", "America/Havana", "2020-11-01T04:00:00.000Z"],
    // Apia skipped 30 December 2011 entirely: it means the instant the next day began.
    ["2011-12-30", "Pacific/Apia", "2011-12-30T10:00:00.000Z"],
    // Offset-less times are local; a repeated one is the first, a skipped one moves past the gap.
    ["2024-11-03T01:30", "America/New_York", "2024-11-03T05:30:00.000Z"],
    ["2024-03-10T02:30", "America/New_York", "2024-03-10T07:30:00.000Z"],
    ["2024-04-07T01:45", "Australia/Lord_Howe", "2024-04-06T14:45:00.000Z"],
    ["2011-12-30T10:00", "Pacific/Apia", "2011-12-30T20:00:00.000Z"],
    ["2024-01-01 09:30:15", "Asia/Kathmandu", "2024-01-01T03:45:15.000Z"],
    ["2024-01-01T09:30:15.1234", "UTC", "2024-01-01T09:30:15.123Z"],
    // An offset or Z wins over the zone.
    ["2024-01-01T12:00:00Z", "America/New_York", "2024-01-01T12:00:00.000Z"],
    ["2024-01-01T12:00+05:30", "America/New_York", "2024-01-01T06:30:00.000Z"],
    ["2024-01-01T12:00-0345", "UTC", "2024-01-01T15:45:00.000Z"],
    ["2024-01-01t12:00z", "UTC", "2024-01-01T12:00:00.000Z"],
  ])("%s in %s is %s", (text, tz, want) => {
    expect(iso(parseInstant(text, tz))).toBe(want);
  });

  it("reads numbers as epoch milliseconds and Dates as themselves", () => {
    expect(parseInstant(1_700_000_000_000)).toBe(1_700_000_000_000);
    expect(parseInstant(1_700_000_000_000.9)).toBe(1_700_000_000_000);
    expect(parseInstant(new Date(Date.UTC(2024, 0, 1)), "Asia/Tokyo")).toBe(Date.UTC(2024, 0, 1));
  });

  it.each([
    "1",
    "2024",
    "20240101",
    "  ",
    "",
    " 2024-01-01",
    "2024-01-01 ",
    "2024-13-01",
    "2024-02-30",
    "2023-02-29",
    "2024-00-10",
    "2024-01-00",
    "2024-01",
    "2024-01-01T24:00",
    "2024-01-01T10:60",
    "2024-01-01T10:00:60",
    "2024-01-01T10",
    "2024-01-01Z",
    "2024-01-01T10:00+24:00",
    "0999-12-31",
    "+002024-01-01",
    "yesterday",
    "Mon, 01 Jan 2024 00:00:00 GMT",
  ])("refuses %j with E_INVALID_DATE", (text) => {
    expect(() => parseInstant(text, "Europe/Berlin")).toThrowError(
      expect.objectContaining({
        code: "E_INVALID_DATE",
        message: expect.stringContaining(JSON.stringify(text)),
      }),
    );
  });

  it.each([
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -1e15,
    1e15,
    null,
    undefined,
    true,
    1n,
    Symbol("t"),
    {},
    [],
    Object.create(null),
    new Date(Number.NaN),
  ])("refuses %s with E_INVALID_DATE", (value) => {
    expect(() => parseInstant(value)).toThrowError(MetricsError);
    expect(() => parseInstant(value)).toThrowError(expect.objectContaining({ code: "E_INVALID_DATE" }));
  });

  it("names what was being read", () => {
    expect(() => parseInstant("2024-02-30", "UTC", "range start (from)")).toThrow(
      /Invalid range start \(from\) "2024-02-30"/,
    );
  });

  it("refuses an unknown zone with E_INVALID_TIMEZONE", () => {
    expect(() => parseInstant("2024-01-01", "Mars/Olympus")).toThrowError(
      expect.objectContaining({ code: "E_INVALID_TIMEZONE" }),
    );
  });

  it("reads a date as the start of the calendar's day bucket, also where midnight was skipped", () => {
    for (const [tz, day] of [
      ["America/Santiago", "2024-09-08"],
      ["America/Sao_Paulo", "2018-11-04"],
      ["Asia/Gaza", "2020-03-28"],
      ["America/Havana", "2020-11-01"],
      ["Pacific/Apia", "2011-12-31"],
    ] as const) {
      const t = parseInstant(day, tz);
      const cal = createCalendar({ timezone: tz });
      expect(cal.bucket("days", t).start, `${tz} ${day}`).toBe(t);
      expect(cal.localLabel(t).slice(0, 10), `${tz} ${day}`).toBe(day);
    }
  });
});
