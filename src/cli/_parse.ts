import { InvalidArgumentError } from "commander";
import {
  type Granularity,
  MAX_INSTANT,
  MIN_INSTANT,
  parseDuration,
  parseGranularity,
  validateTimeZone,
} from "../time/index.js";
import { UsageError } from "./_errors.js";

/** Messages say what was expected; commander prefixes the option and value. */
const fail = (message: string): never => {
  throw new InvalidArgumentError(message);
};

/**
 * An argument parser whose every failure is a usage error: whatever `parse`
 * throws becomes an {@link InvalidArgumentError}, so commander prints one line
 * and exits 2 (never a runtime error's exit 1).
 */
export function argument<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw error;
      return fail(error instanceof Error ? error.message : String(error));
    }
  };
}

/** A non-empty value (`--outbox ''` must not mean the current directory). */
export function nonEmpty(value: string): string {
  if (value.trim() === "") fail("Expected a non-empty value.");
  return value;
}

/** A safe integer (negative allowed), e.g. `--by -3`. */
export function parseInteger(value: string): number {
  const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) fail("Expected an integer.");
  return n;
}

/** A positive integer no larger than `max`. */
export function positiveInteger(max: number): (value: string) => number {
  return (value) => {
    const n = parseInteger(value);
    if (n < 1 || n > max) fail(`Expected an integer from 1 to ${max}.`);
    return n;
  };
}

/** A TCP port 0–65535 (0 = any free port). */
export function parsePort(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) fail("Expected a port number from 0 to 65535.");
  return n;
}

/** A granularity name or alias, e.g. `hours`, `daily`, `w`. */
export function parseGranularityArg(value: string): Granularity {
  try {
    return parseGranularity(value);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

/** An IANA time zone such as `UTC` or `Europe/Berlin`. */
export function parseTimezone(value: string): string {
  try {
    return validateTimeZone(value);
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
}

/** What a time argument needs to resolve: the current time and the zone's UTC offset. */
export interface TimeContext {
  now: number;
  /** UTC offset in ms in force at `t` (from the calendar of `--timezone`). */
  offsetAt(t: number): number;
}

const AGE =
  "Expected an age such as 7d or 12h: a positive whole number of s, m, h, d, w or y, reaching back no further than the year 1000.";

/** A parsed time argument, resolved when the command runs. */
export type TimeArg = (context: TimeContext) => number;

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/;

/**
 * A point in time: an ISO 8601 date/time, `now`, or an age (`90d`, `12h`,
 * `30m`). A date or date-time without `Z`/offset is wall-clock time in
 * `--timezone` (`2024-05-01` = local midnight there); one with an offset is exact.
 */
export function parseTime(value: string): TimeArg {
  const text = value.trim();
  if (text === "now") return ({ now }) => now;
  if (/^\d+\s*[smhdwy]$/.test(text)) {
    let ago = 0;
    try {
      ago = parseDuration(text);
    } catch {
      fail(AGE);
    }
    if (ago > 8_000 * 365 * 86_400_000) fail(AGE);
    return ({ now }) => {
      const t = now - ago;
      if (t < MIN_INSTANT) throw new UsageError(`The age ${text} reaches before the year 1000.`);
      return t;
    };
  }
  const local = LOCAL.exec(text);
  if (local) {
    const [, y, mo, d, h = "0", mi = "0", s = "0", ms = "0"] = local;
    const wall = Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h),
      Number(mi),
      Number(s),
      Number(ms.padEnd(3, "0")),
    );
    if (!Number.isFinite(wall) || new Date(wall).getUTCDate() !== Number(d))
      fail(`No such date ${JSON.stringify(text)}.`);
    return checked(wall, ({ offsetAt }) => {
      const guess = wall - offsetAt(wall);
      return wall - offsetAt(guess);
    });
  }
  const t = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(t)) {
    fail(
      'Expected an ISO 8601 date such as 2024-05-01 or 2024-05-01T12:00:00Z, "now", or an age such as 7d.',
    );
  }
  return checked(t, () => t);
}

function checked(approx: number, resolve: TimeArg): TimeArg {
  if (approx < MIN_INSTANT || approx > MAX_INSTANT) fail("Expected a date between the years 1000 and 9999.");
  return resolve;
}
