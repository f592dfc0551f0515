import { describe, expect, it } from "vitest";
import { MetricsError } from "../../src/errors.js";
import {
  createCalendar,
  GRANULARITIES,
  MAX_INSTANT,
  MIN_INSTANT,
  validateTimeZone,
  zoneOffsets,
} from "../../src/time/index.js";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);

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

describe("validateTimeZone", () => {
  it("accepts IANA names, normalising only the letter case", () => {
    expect(validateTimeZone("Europe/Berlin")).toBe("Europe/Berlin");
    expect(validateTimeZone("america/new_york")).toBe("America/New_York");
    expect(validateTimeZone("utc")).toBe("UTC");
    // Aliases keep the name given: stores persist it, and alias resolution differs between ICU versions.
    expect(validateTimeZone("Asia/Kolkata")).toBe("Asia/Kolkata");
    expect(validateTimeZone("Asia/Calcutta")).toBe("Asia/Calcutta");
    expect(validateTimeZone("US/Eastern")).toBe("US/Eastern");
  });

  it.each(["Mars/Olympus_Mons", "", "Europe/Berlin ", "+05:30x", 5, null, undefined, {}])(
    "rejects %j with E_INVALID_TIMEZONE naming it",
    (input) => {
      const error = thrown(() => validateTimeZone(input));
      expect(error.code).toBe("E_INVALID_TIMEZONE");
      expect(error.message).toBe(
        `Unknown time zone ${input === undefined ? "undefined" : JSON.stringify(input)}`,
      );
      // (A missing timezone option means UTC.)
      if (input !== null && input !== undefined) {
        expect(thrown(() => createCalendar({ timezone: input as string })).code).toBe("E_INVALID_TIMEZONE");
      }
    },
  );

  it("gives an alias the same offsets as its zone", () => {
    const alias = zoneOffsets("Asia/Calcutta");
    const zone = zoneOffsets("Asia/Kolkata");
    for (const t of [0, at("1942-09-01T00:00:00Z"), at("2024-06-01T00:00:00Z")]) {
      expect(alias.offsetAt(t)).toBe(zone.offsetAt(t));
    }
    expect(zone.offsetAt(at("2024-06-01T00:00:00Z"))).toBe(5.5 * HOUR);
  });
});

describe("createCalendar", () => {
  it("defaults to UTC and Monday weeks", () => {
    const cal = createCalendar();
    expect([cal.timezone, cal.weekStart]).toEqual(["UTC", "monday"]);
    expect(cal.bucket("days", at("2024-06-05T13:00:00Z"))).toEqual({
      index: at("2024-06-05T00:00:00Z") / DAY,
      start: at("2024-06-05T00:00:00Z"),
    });
  });

  it.each(["tuesday", "Monday", "", 1, false])(
    "rejects weekStart %j with E_INVALID_OPTION naming it",
    (input) => {
      const error = thrown(() => createCalendar({ weekStart: input as "monday" }));
      expect(error.code).toBe("E_INVALID_OPTION");
      expect(error.message).toContain(typeof input === "string" ? JSON.stringify(input) : String(input));
    },
  );

  it("has methods that survive destructuring", () => {
    const { bucket, next, range, bucketsAt, localLabel, offsetAt } = createCalendar({
      timezone: "Asia/Tokyo",
    });
    const t = at("2024-06-05T13:20:00Z");
    expect(localLabel(t)).toBe("2024-06-05T22:20");
    expect(offsetAt(t)).toBe(9 * HOUR);
    expect(next("hours", bucket("hours", t)).start).toBe(at("2024-06-05T14:00:00Z"));
    expect(range("days", t, t + DAY)).toHaveLength(2);
    expect(bucketsAt(t)).toHaveLength(GRANULARITIES.length);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, MIN_INSTANT - 1, MAX_INSTANT + 1, 8.64e15])(
    "rejects instant %d with E_INVALID_DATE naming it",
    (t) => {
      const cal = createCalendar({ timezone: "Europe/Berlin" });
      for (const call of [
        () => cal.bucket("days", t),
        () => cal.bucketsAt(t),
        () => cal.localLabel(t),
        () => cal.offsetAt(t),
        () => cal.range("hours", t, t),
      ]) {
        const error = thrown(call);
        expect(error.code).toBe("E_INVALID_DATE");
        expect(error.message).toContain(String(t));
      }
    },
  );

  it("accepts the first and last instants", () => {
    const cal = createCalendar({ timezone: "America/New_York" });
    expect(cal.bucket("years", MIN_INSTANT).index).toBe(999);
    expect(cal.bucket("years", MAX_INSTANT).index).toBe(9999);
  });
});

describe("range errors", () => {
  const cal = createCalendar({ timezone: "Europe/London" });

  it("rejects from > to with E_INVALID_RANGE naming both", () => {
    const error = thrown(() => cal.range("hours", at("2024-02-01T00:00:00Z"), at("2024-01-01T00:00:00Z")));
    expect(error.code).toBe("E_INVALID_RANGE");
    expect(error.message).toContain("2024-02-01T00:00:00.000Z");
    expect(error.message).toContain("2024-01-01T00:00:00.000Z");
  });

  it("gives one bucket when from and to share it", () => {
    const t = at("2024-01-01T10:10:00Z");
    expect(cal.range("hours", t, t + 10 * MINUTE)).toEqual([cal.bucket("hours", t)]);
  });

  it("allows exactly maxPoints buckets and throws E_RANGE_TOO_LARGE for one more", () => {
    // The local day on which BST began: 00:00 GMT to 23:59 BST, 23 hours.
    const from = at("2024-03-31T00:00:00Z");
    const to = at("2024-03-31T22:59:00Z");
    expect(cal.range("hours", from, to, 23)).toHaveLength(23);
    const error = thrown(() => cal.range("hours", from, to, 22));
    expect(error.code).toBe("E_RANGE_TOO_LARGE");
    expect(error.message).toBe(
      "A hours history from 2024-03-31T00:00:00.000Z to 2024-03-31T22:59:00.000Z has more than 22 points",
    );
  });

  it("throws E_RANGE_TOO_LARGE up front, without walking the range", () => {
    // 4.7 billion minutes, 3.3 million days, 9000 years: building maxPoints of them first would take
    // far longer than the test's timeout (the zone table of every year crossed is built on first use).
    const cases = [
      ["minutes", 100_000_000],
      ["hours", 10_000_000],
      ["days", 1_000_000],
      ["weeks", 100_000],
      ["months", 10_000],
      ["years", 8999],
    ] as const;
    for (const [g, maxPoints] of cases) {
      const error = thrown(() => cal.range(g, MIN_INSTANT, MAX_INSTANT, maxPoints));
      expect(error.code).toBe("E_RANGE_TOO_LARGE");
      expect(error.message).toContain(`more than ${maxPoints} points`);
    }
  });
});

describe("bucketsAt with an offset in seconds", () => {
  it("does not reuse a minute's buckets across a minute boundary that is not on a UTC minute", () => {
    // Berlin kept local mean time, +0:53:28, until 1893.
    const cal = createCalendar({ timezone: "Europe/Berlin" });
    const t = at("1890-06-01T12:00:10Z");
    expect(cal.offsetAt(t)).toBe(53 * MINUTE + 28_000);
    const early = cal.bucketsAt(t);
    expect(cal.bucketsAt(t + 5_000)).toBe(early);
    const late = cal.bucketsAt(t + 40_000);
    expect(early[0]?.start).toBe(at("1890-06-01T11:59:32Z"));
    expect(late[0]?.start).toBe(at("1890-06-01T12:00:32Z"));
    for (const x of [t, t + 40_000])
      expect(cal.bucketsAt(x)).toEqual(GRANULARITIES.map((g) => cal.bucket(g, x)));
  });
});
