import { describeValue, MetricsError } from "../errors.js";
import { addWall, coarseStart, indexOf, truncateWall } from "./_coarse.js";
import { type FineOptions, fineNext, fineStart } from "./_fine.js";
import { coarseRun, fineRun } from "./_runs.js";
import { GRANULARITIES, type Granularity, type WeekStart } from "./granularity.js";
import { validateTimeZone, zoneOffsets } from "./zone.js";

/**
 * A bucket: `start` is the UTC instant (epoch ms) at which it begins in the
 * calendar's zone; `index` is an integer that grows by one per bucket
 * (minutes/hours since the epoch, local days since 1970-01-01, local weeks,
 * `year * 12 + month`, the year), so stores can key buckets by small integers.
 */
export interface Bucket {
  readonly index: number;
  readonly start: number;
}

/** Options of {@link createCalendar}. */
export interface CalendarOptions {
  /** IANA zone in which bucket boundaries are local. @default "UTC" */
  timezone?: string;
  /** First day of week buckets. @default "monday" */
  weekStart?: WeekStart;
}

/** Pure bucket arithmetic for one zone and week start. No clock reads. */
export interface Calendar {
  readonly timezone: string;
  readonly weekStart: WeekStart;
  /** The bucket of `granularity` that contains instant `t` (epoch ms). */
  bucket(granularity: Granularity, t: number): Bucket;
  /** The bucket right after `b`. */
  next(granularity: Granularity, b: Bucket): Bucket;
  /** Every bucket from the one holding `from` to the one holding `to`, inclusive. */
  range(granularity: Granularity, from: number, to: number, maxPoints?: number): Bucket[];
  /** The bucket of every granularity (in {@link GRANULARITIES} order) holding `t`, cached per minute. */
  bucketsAt(t: number): readonly Bucket[];
  /** Local wall-clock time of `t` as `YYYY-MM-DDTHH:mm` (for labels). */
  localLabel(t: number): string;
  /** UTC offset in ms in force at `t`. */
  offsetAt(t: number): number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Earliest and latest instants accepted (years 1000..9999). */
export const MIN_INSTANT = Date.UTC(1000, 0, 1);
export const MAX_INSTANT = Date.UTC(9999, 11, 31, 23, 59);
const CACHE_LIMIT = 20_000;

/**
 * Create a calendar. Throws `E_INVALID_TIMEZONE` / `E_INVALID_OPTION` at once.
 *
 * DST rules: an hour bucket is a real hour, so the two 01:00 hours of a
 * fall-back night are two buckets; a local day can have 23 or 25 hour buckets.
 * A bucket whose local start does not exist (skipped by a spring-forward)
 * starts at the transition. Where an offset change off the hour mark would
 * start two hour buckets within one UTC hour (Lord Howe's 30-minute shift,
 * Chatham's changes at 02:45), only one of them starts a bucket (a local day's
 * start if it is one, else the later), so hour indexes stay "hours since the
 * epoch" and hours nest in days. Days, weeks, months and years begin the first
 * time the wall clock reaches their midnight.
 */
export function createCalendar(options: CalendarOptions = {}): Calendar {
  checkCalendarOptions(options);
  const timezone = validateTimeZone(options.timezone === undefined ? "UTC" : options.timezone);
  const weekStart = options.weekStart === undefined ? "monday" : options.weekStart;
  if (weekStart !== "monday" && weekStart !== "sunday") {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `weekStart must be "monday" or "sunday", got ${describeValue(weekStart)}`,
    );
  }
  const zone = zoneOffsets(timezone);
  const weekStartDow = weekStart === "monday" ? 1 : 0;
  // 1970-01-05 (day 4) was a Monday, 1970-01-04 (day 3) a Sunday.
  const weekEpochDay = weekStart === "monday" ? 4 : 3;
  /** The buckets of every granularity of one minute bucket, which spans `from` (inclusive) to `to`. */
  type Minute = { buckets: readonly Bucket[]; from: number; to: number };
  const perMinute = new Map<number, Minute>();
  /** The minute asked for last (none yet: an empty span). */
  let lastMinute: Minute = { buckets: [], from: 0, to: 0 };

  const coarseIndex = (g: Granularity, start: number): number =>
    indexOf(g, start, zone, weekStartDow, weekEpochDay);

  const coarseBucket = (g: Granularity, t: number): Bucket => {
    let wall = truncateWall(g, t + zone.offsetAt(t), weekStartDow);
    let start = coarseStart(zone, wall);
    // A day (week, month, year) begins the first time the wall clock reaches
    // its midnight. Where the clock then steps back across that midnight (St
    // John's fell back at 00:01 until 2011), the instants that read the
    // previous day again already belong to the new one.
    for (;;) {
      const after = addWall(g, wall);
      const afterStart = coarseStart(zone, after);
      if (afterStart > t) break;
      wall = after;
      start = afterStart;
    }
    return { index: coarseIndex(g, start), start };
  };

  // Hour starts stay minute starts and day starts stay hour starts, so each nests in the next.
  const fine: Record<"minutes" | "hours", FineOptions> = {
    minutes: { zone, unit: MINUTE, isProtected: (s) => fineStart(fine.hours, s) === s },
    hours: { zone, unit: HOUR, isProtected: (s) => coarseBucket("days", s).start === s },
  };

  const bucket = (g: Granularity, t: number): Bucket => {
    checkInstant(t, "instant");
    if (g === "minutes" || g === "hours") {
      const start = fineStart(fine[g], t);
      return { index: Math.floor(start / fine[g].unit), start };
    }
    return coarseBucket(g, t);
  };

  const next = (g: Granularity, b: Bucket): Bucket => {
    if (g === "minutes" || g === "hours") {
      const start = fineNext(fine[g], b.start);
      return { index: Math.floor(start / fine[g].unit), start };
    }
    const wall = truncateWall(g, b.start + zone.offsetAt(b.start), weekStartDow);
    const start = coarseStart(zone, addWall(g, wall));
    return { index: coarseIndex(g, start), start };
  };

  return {
    timezone,
    weekStart,
    bucket,
    next,
    range(g, from, to, maxPoints = Number.POSITIVE_INFINITY) {
      checkInstant(from, "range start");
      checkInstant(to, "range end");
      if (from > to) {
        throw new MetricsError(
          "E_INVALID_RANGE",
          `Range start ${describeValue(new Date(from))} is after its end ${describeValue(new Date(to))}`,
        );
      }
      let b = bucket(g, from);
      const last = bucket(g, to);
      // Indexes step by one per bucket, so this count is exact, except for days over
      // a skipped day (Apia 2011), where the duration bound below decides.
      const count = last.index - b.index + 1;
      const lowerBound = Math.floor((last.start - b.start) / MAX_LENGTH[g]) + 1;
      if ((g !== "days" && count > maxPoints) || lowerBound > maxPoints) {
        throw new MetricsError(
          "E_RANGE_TOO_LARGE",
          `A ${g} history from ${new Date(from).toISOString()} to ${new Date(to).toISOString()} has more than ${maxPoints} points`,
        );
      }
      const out: Bucket[] = [];
      const unit = g === "minutes" || g === "hours" ? fine[g].unit : 0;
      while (b.start <= last.start) {
        if (out.length >= maxPoints) {
          throw new MetricsError(
            "E_RANGE_TOO_LARGE",
            `A ${g} history from ${new Date(from).toISOString()} to ${new Date(to).toISOString()} has more than ${maxPoints} points`,
          );
        }
        out.push(b);
        b =
          unit > 0
            ? fineRun(zone, unit, b, last.start, maxPoints, out)
            : coarseRun(zone, g, weekStartDow, b, last.start, maxPoints, out);
        b = next(g, b);
      }
      return out;
    },
    bucketsAt(t) {
      // Records arrive mostly in the current minute: compare with the last one first.
      if (t >= lastMinute.from && t < lastMinute.to) return lastMinute.buckets;
      const minute = Math.floor(t / MINUTE);
      const cached = perMinute.get(minute);
      // Valid while t is in the cached minute bucket (always so unless the offset has seconds, as LMT had).
      if (cached && t >= cached.from && t < cached.to) {
        lastMinute = cached;
        return cached.buckets;
      }
      checkInstant(t, "instant");
      if (perMinute.size >= CACHE_LIMIT) perMinute.clear();
      const buckets = Object.freeze(GRANULARITIES.map((g) => bucket(g, t)));
      const first = buckets[0] as Bucket;
      lastMinute = { buckets, from: first.start, to: next("minutes", first).start };
      perMinute.set(minute, lastMinute);
      return buckets;
    },
    localLabel(t) {
      checkInstant(t, "instant");
      return new Date(t + zone.offsetAt(t)).toISOString().slice(0, 16);
    },
    offsetAt(t) {
      checkInstant(t, "instant");
      return zone.offsetAt(t);
    },
  };
}

/** Throws `E_INVALID_OPTION` unless `options` is a plain object holding only `timezone` and `weekStart`. */
function checkCalendarOptions(options: unknown): void {
  const proto: unknown = typeof options === "object" && options !== null && Object.getPrototypeOf(options);
  if (proto !== Object.prototype && proto !== null) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `createCalendar() options must be a plain object, got ${describeValue(options)}`,
    );
  }
  for (const key in options as object) {
    if (key !== "timezone" && key !== "weekStart") {
      throw new MetricsError(
        "E_INVALID_OPTION",
        `Unknown option ${describeValue(key)} in createCalendar() options; known options: timezone, weekStart`,
      );
    }
  }
}

/** Throws `E_INVALID_DATE` unless `t` is epoch ms within {@link MIN_INSTANT}..{@link MAX_INSTANT}. */
function checkInstant(t: number, what: string): void {
  if (t >= MIN_INSTANT && t <= MAX_INSTANT) return;
  throw new MetricsError(
    "E_INVALID_DATE",
    `Invalid ${what} ${describeValue(t)}: expected epoch milliseconds between years 1000 and 9999`,
  );
}

/** Longest possible bucket per granularity (for bounding range sizes). */
const MAX_LENGTH: Record<Granularity, number> = {
  minutes: MINUTE + 1000,
  hours: 2 * HOUR,
  days: 2 * DAY + 2 * HOUR,
  weeks: 8 * DAY,
  months: 32 * DAY,
  years: 367 * DAY,
};
