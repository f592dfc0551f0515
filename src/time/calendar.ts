import { describeValue, MetricsError } from "../errors.js";
import { type FineOptions, fineNext, fineStart } from "./_fine.js";
import { GRANULARITIES, type Granularity, type WeekStart } from "./granularity.js";
import { validateTimeZone, type ZoneOffsets, zoneOffsets } from "./zone.js";

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
  const timezone = validateTimeZone(options.timezone ?? "UTC");
  const weekStart = options.weekStart ?? "monday";
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
  const perMinute = new Map<number, readonly Bucket[]>();

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
      if (from > to) {
        throw new MetricsError(
          "E_INVALID_RANGE",
          `Range start ${describeValue(new Date(from))} is after its end ${describeValue(new Date(to))}`,
        );
      }
      let b = bucket(g, from);
      const last = bucket(g, to);
      const lowerBound = Math.floor((last.start - b.start) / MAX_LENGTH[g]) + 1;
      const tooMany = (): MetricsError =>
        new MetricsError(
          "E_RANGE_TOO_LARGE",
          `A ${g} history from ${new Date(from).toISOString()} to ${new Date(to).toISOString()} has more than ${maxPoints} points`,
        );
      if (lowerBound > maxPoints) throw tooMany();
      const out: Bucket[] = [];
      while (b.start <= last.start) {
        if (out.length >= maxPoints) throw tooMany();
        out.push(b);
        b = next(g, b);
      }
      return out;
    },
    bucketsAt(t) {
      const minute = Math.floor(t / MINUTE);
      let found = perMinute.get(minute);
      if (!found) {
        if (perMinute.size >= CACHE_LIMIT) perMinute.clear();
        found = Object.freeze(GRANULARITIES.map((g) => bucket(g, t)));
        perMinute.set(minute, found);
      }
      return found;
    },
    localLabel(t) {
      return new Date(t + zone.offsetAt(t)).toISOString().slice(0, 16);
    },
    offsetAt: (t) => zone.offsetAt(t),
  };
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

/** Truncate a wall-clock time (ms, read as UTC fields) to the start of its bucket. */
function truncateWall(g: Granularity, wall: number, weekStartDow: number): number {
  switch (g) {
    case "minutes":
      return Math.floor(wall / MINUTE) * MINUTE;
    case "hours":
      return Math.floor(wall / HOUR) * HOUR;
    case "days":
      return Math.floor(wall / DAY) * DAY;
    case "weeks": {
      const day = Math.floor(wall / DAY) * DAY;
      const dow = new Date(day).getUTCDay();
      return day - ((dow - weekStartDow + 7) % 7) * DAY;
    }
    case "months": {
      const d = new Date(wall);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    }
    case "years":
      return Date.UTC(new Date(wall).getUTCFullYear(), 0, 1);
  }
}

function addWall(g: Granularity, wall: number): number {
  const d = new Date(wall);
  switch (g) {
    case "days":
      return wall + DAY;
    case "weeks":
      return wall + 7 * DAY;
    case "months":
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    default:
      return Date.UTC(d.getUTCFullYear() + 1, 0, 1);
  }
}

/** Earliest instant whose wall time is `wall` (midnights, month starts), or the transition after a gap. */
function coarseStart(zone: ZoneOffsets, wall: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (const probe of [wall - 14 * HOUR, wall - zone.offsetAt(wall), wall + 12 * HOUR]) {
    const off = zone.offsetAt(probe);
    const candidate = wall - off;
    if (candidate < best && zone.offsetAt(candidate) === off) best = candidate;
  }
  if (best !== Number.POSITIVE_INFINITY) return best;
  return firstInstantAtOrAfterWall(zone, wall, wall - 15 * HOUR, wall + 15 * HOUR);
}

function firstInstantAtOrAfterWall(zone: ZoneOffsets, wall: number, lo: number, hi: number): number {
  // Invariant: wall(lo) < wall, wall(hi) >= wall; bisect to the second.
  let a = Math.floor(lo / 1000) * 1000;
  let b = Math.ceil(hi / 1000) * 1000;
  while (b - a > 1000) {
    const mid = a + Math.floor((b - a) / 2000) * 1000;
    if (mid + zone.offsetAt(mid) >= wall) b = mid;
    else a = mid;
  }
  return b;
}

function indexOf(
  g: Granularity,
  start: number,
  zone: ZoneOffsets,
  weekStartDow: number,
  weekEpochDay: number,
): number {
  switch (g) {
    case "minutes":
      return Math.floor(start / MINUTE);
    case "hours":
      return Math.floor(start / HOUR);
    default: {
      const wall = truncateWall(g, start + zone.offsetAt(start), weekStartDow);
      if (g === "days") return Math.floor(wall / DAY);
      if (g === "weeks") return Math.floor((Math.floor(wall / DAY) - weekEpochDay) / 7);
      const d = new Date(wall);
      return g === "months" ? d.getUTCFullYear() * 12 + d.getUTCMonth() : d.getUTCFullYear();
    }
  }
}
