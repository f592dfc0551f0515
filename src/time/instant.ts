import { describeValue, MetricsError } from "../errors.js";
import { coarseStart, earliestInstantOfWall, firstInstantAtOrAfterWall } from "./_coarse.js";
import { MAX_INSTANT, MIN_INSTANT } from "./calendar.js";
import { zoneOffsets } from "./zone.js";

/** A time as the library accepts it: a `Date`, epoch milliseconds, or an ISO 8601 string. */
export type InstantInput = Date | number | string;

/**
 * `YYYY-MM-DD`, optionally followed by `T` (or a space) and `HH:mm`,
 * `HH:mm:ss` or `HH:mm:ss.fff` (up to 9 fraction digits), optionally followed
 * by `Z` or an offset `±HH:mm` / `±HHmm` / `±HH`.
 */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

const MINUTE = 60_000;
const HOUR = 3_600_000;

/**
 * Read a time the one way tallyboard reads times everywhere (library, HTTP,
 * CLI), as epoch milliseconds:
 *
 * - a `Date` (a valid one);
 * - a number: epoch milliseconds (a fraction is cut off);
 * - an ISO 8601 string: `2024-01-31`, `2024-01-31T09:30`, `2024-01-31T09:30:15.250`,
 *   each optionally with `Z` or an offset (`+05:30`). A date, or a date-time
 *   without an offset, is local to `timezone`:
 *   - a date means the first instant of that local day (the start of its day
 *     bucket) — where midnight was skipped, the instant the day began;
 *   - a local time that occurred twice (a fall-back night) means the first;
 *   - a local time that was skipped (a spring-forward gap) is moved forward by
 *     the length of the gap (`02:30` on a night that jumps from 02:00 to 03:00
 *     is `03:30`), as RFC 5545 and Temporal's "compatible" do.
 *
 * Anything else — digit strings such as `"1"` or `"2024"`, blank strings,
 * impossible dates (`2024-02-30`, `2024-13-01`), times beyond years 1000–9999
 * — throws `MetricsError` `E_INVALID_DATE`.
 *
 * @param timezone IANA zone for dates and offset-less times. @default "UTC"
 * @param what How the message names the value (e.g. `"range start (from)"`).
 * @example
 * parseInstant("2024-01-01", "America/New_York") // Date.UTC(2024, 0, 1, 5)
 * parseInstant("2024-01-01T12:00:00Z")            // Date.UTC(2024, 0, 1, 12)
 */
export function parseInstant(value: unknown, timezone = "UTC", what = "time"): number {
  let t = Number.NaN;
  if (typeof value === "number") t = Math.floor(value);
  else if (value instanceof Date) t = value.getTime();
  else if (typeof value === "string") t = parseIso(value, timezone);
  if (t >= MIN_INSTANT && t <= MAX_INSTANT) return t;
  throw new MetricsError(
    "E_INVALID_DATE",
    `Invalid ${what} ${describeValue(value)}: expected a Date, epoch milliseconds (a number) or an ISO 8601 date or date-time (2024-01-31, 2024-01-31T09:30, 2024-01-31T09:30:00Z) between years 1000 and 9999`,
  );
}

/** Epoch ms of an ISO string, NaN when it is not one of the accepted forms or not a real date. */
function parseIso(text: string, timezone: string): number {
  const m = ISO.exec(text);
  if (!m) return Number.NaN;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const hour = Number(m[4] ?? 0);
  const minute = Number(m[5] ?? 0);
  const second = Number(m[6] ?? 0);
  const ms = Number((m[7] ?? "").slice(0, 3).padEnd(3, "0"));
  if (year < 1000 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return Number.NaN;
  if (hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (m[8] !== undefined) return wall;
  if (m[9] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11] ?? 0);
    if (oh > 23 || om > 59) return Number.NaN;
    return wall - (m[9] === "-" ? -1 : 1) * (oh * HOUR + om * MINUTE);
  }
  const zone = zoneOffsets(timezone);
  if (m[4] === undefined) return coarseStart(zone, wall);
  const earliest = earliestInstantOfWall(zone, wall);
  if (earliest !== null) return earliest;
  // Skipped: keep the offset in force before the gap, which lands past it.
  const gapEnd = firstInstantAtOrAfterWall(zone, wall);
  return wall - zone.offsetAt(gapEnd - 1);
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
