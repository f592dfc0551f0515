import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bucketAtIndex,
  createCalendar,
  GRANULARITIES,
  MAX_INSTANT,
  MIN_INSTANT,
} from "../../src/time/index.js";

const ZONES = [
  "UTC",
  "America/New_York",
  "America/Santiago",
  "Australia/Lord_Howe",
  "Pacific/Chatham",
  "Pacific/Apia",
  "Asia/Kathmandu",
  "America/St_Johns",
  "Asia/Gaza",
];

const calendars = new Map<string, ReturnType<typeof createCalendar>>();
const calendarOf = (timezone: string, weekStart: "monday" | "sunday") => {
  const key = `${timezone}|${weekStart}`;
  let calendar = calendars.get(key);
  if (!calendar) {
    calendar = createCalendar({ timezone, weekStart });
    calendars.set(key, calendar);
  }
  return calendar;
};

describe("bucketAtIndex", () => {
  it("inverts calendar.bucket(g, t).index for any instant, zone, granularity and week start", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.constantFrom("monday" as const, "sunday" as const),
        fc.constantFrom(...GRANULARITIES),
        fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }),
        (timezone, weekStart, g, t) => {
          const calendar = calendarOf(timezone, weekStart);
          const bucket = calendar.bucket(g, t);
          expect(bucketAtIndex(calendar, g, bucket.index)).toEqual(bucket);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("works at the ends of the accepted range", () => {
    const calendar = createCalendar({ timezone: "Pacific/Chatham" });
    for (const g of GRANULARITIES) {
      for (const t of [MIN_INSTANT + 86_400_000 * 400, MAX_INSTANT - 86_400_000 * 400]) {
        const bucket = calendar.bucket(g, t);
        expect(bucketAtIndex(calendar, g, bucket.index)).toEqual(bucket);
      }
    }
  });
});
