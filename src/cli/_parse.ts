import { InvalidArgumentError } from "commander";
import {
  type Granularity,
  MIN_INSTANT,
  parseDuration,
  parseGranularity,
  parseInstant,
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
  /** IANA zone (`--timezone`) in which dates and offset-less times are local. */
  timezone: string;
}

const AGE =
  "Expected an age such as 7d or 12h: a positive whole number of s, m, h, d, w or y, reaching back no further than the year 1000.";

/** A parsed time argument, resolved when the command runs. */
export type TimeArg = (context: TimeContext) => number;

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
  // Dates and times are read by the library's one parser, in --timezone, when the command runs.
  try {
    parseInstant(text, "UTC", "time");
  } catch {
    fail(
      /^\d{4}-\d{2}-\d{2}/.test(text)
        ? `No such date or time ${JSON.stringify(text)}; expected e.g. 2024-05-01, 2024-05-01T12:00 or 2024-05-01T12:00:00Z, between the years 1000 and 9999.`
        : 'Expected an ISO 8601 date such as 2024-05-01 or 2024-05-01T12:00:00Z, "now", or an age such as 7d.',
    );
  }
  return ({ timezone }) => {
    try {
      return parseInstant(text, timezone, "time");
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  };
}
