import { describeValue, MetricsError } from "../errors.js";

/**
 * UTC offsets of an IANA zone, read from the platform's Intl data (never from
 * hand-written rules). The offsets of a UTC year are sampled once every 6 hours
 * and each change is located to the second by bisection; afterwards
 * {@link ZoneOffsets.offsetAt} is a binary search without any Intl call.
 * Two transitions less than 6 hours apart would be missed; tzdb has none.
 */
export interface ZoneOffsets {
  /** The canonical zone name. */
  readonly timezone: string;
  /** Offset in milliseconds (local = utc + offset) in force at instant `t`. */
  offsetAt(t: number): number;
  /**
   * An instant after `t` before which the offset does not change: every
   * instant of [t, constantUntil(t)) has the offset of `t`. It may be earlier
   * than the next change (a year end, say), never later.
   */
  constantUntil(t: number): number;
}

const SAMPLE_MS = 6 * 3_600_000;
const DAY_MS = 86_400_000;
const cache = new Map<string, ZoneOffsets>();

/**
 * The zone name to use for `timezone` (an IANA name the platform knows), or
 * `E_INVALID_TIMEZONE`. Only the letter case is normalised (`"utc"` gives
 * `"UTC"`): aliases keep the name given (`"Asia/Kolkata"` stays so, although
 * Node 20's ICU resolves it to `"Asia/Calcutta"`), because stores persist this
 * name and compare it, and alias resolution differs between ICU versions.
 */
export function validateTimeZone(timezone: unknown): string {
  if (typeof timezone !== "string" || timezone.length === 0) {
    throw new MetricsError("E_INVALID_TIMEZONE", `Unknown time zone ${describeValue(timezone)}`);
  }
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat("en-US", { timeZone: timezone }).resolvedOptions().timeZone;
  } catch (cause) {
    throw new MetricsError("E_INVALID_TIMEZONE", `Unknown time zone ${describeValue(timezone)}`, { cause });
  }
  return resolved.toLowerCase() === timezone.toLowerCase() ? resolved : timezone;
}

/** The shared offset table of a zone (validated). */
export function zoneOffsets(timezone: string): ZoneOffsets {
  const known = cache.get(timezone);
  if (known) return known;
  const name = validateTimeZone(timezone);
  let zone = cache.get(name);
  if (!zone) {
    zone =
      name === "UTC" || name === "Etc/UTC"
        ? { timezone: name, offsetAt: () => 0, constantUntil: () => Number.POSITIVE_INFINITY }
        : buildZone(name);
    cache.set(name, zone);
  }
  // Also under the spelling asked for (letter case may differ), so the next lookup skips Intl.
  if (cache.size < 2000) cache.set(timezone, zone);
  return zone;
}

interface YearTable {
  /** Instants where each segment begins (ascending). */
  starts: number[];
  offsets: number[];
}

function buildZone(timezone: string): ZoneOffsets {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone,
    hourCycle: "h23",
    era: "short",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
  const intlOffset = (t: number): number => {
    const base = Math.floor(t / 1000) * 1000;
    const f: Record<string, string> = {};
    for (const part of format.formatToParts(base)) f[part.type] = part.value;
    let year = Number(f.year);
    if (f.era === "BC" || f.era === "B") year = 1 - year;
    const wall = Date.UTC(
      year,
      Number(f.month) - 1,
      Number(f.day),
      Number(f.hour) % 24,
      Number(f.minute),
      Number(f.second),
    );
    // Date.UTC maps years 0..99 to 1900..1999; correct that.
    const fixed = year >= 0 && year < 100 ? new Date(wall).setUTCFullYear(year) : wall;
    return fixed - base;
  };
  const years = new Map<number, YearTable>();
  const table = (year: number): YearTable => {
    let found = years.get(year);
    if (found) return found;
    const from = Date.UTC(year, 0, 1) - DAY_MS;
    const to = Date.UTC(year + 1, 0, 1) + DAY_MS;
    const starts = [from];
    const offsets = [intlOffset(from)];
    let prevT = from;
    let prevOff = offsets[0] as number;
    for (let t = from + SAMPLE_MS; t <= to; t += SAMPLE_MS) {
      const off = intlOffset(t);
      if (off !== prevOff) {
        // Bisect to the first second carrying the new offset.
        let lo = prevT;
        let hi = t;
        while (hi - lo > 1000) {
          const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
          if (intlOffset(mid) === prevOff) lo = mid;
          else hi = mid;
        }
        starts.push(hi);
        offsets.push(off);
        prevOff = off;
      }
      prevT = t;
    }
    found = { starts, offsets };
    years.set(year, found);
    return found;
  };
  // The table of the year last asked for and its bounds, found again without a Date.
  let current: YearTable = { starts: [], offsets: [] };
  let currentFrom = Number.POSITIVE_INFINITY;
  let currentTo = Number.NEGATIVE_INFINITY;
  /** Make `current` the table of t's UTC year; the segment of it holding t. */
  const locate = (t: number): number => {
    if (!(t >= currentFrom && t < currentTo)) {
      const year = new Date(t).getUTCFullYear();
      current = table(year);
      currentFrom = Date.UTC(year, 0, 1);
      currentTo = Date.UTC(year + 1, 0, 1);
    }
    const { starts } = current;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  return {
    timezone,
    offsetAt(t: number): number {
      const at = locate(t);
      return current.offsets[at] as number;
    },
    constantUntil(t: number): number {
      const at = locate(t);
      return Math.min(current.starts[at + 1] ?? currentTo, currentTo);
    },
  };
}
