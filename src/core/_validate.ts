import { describeValue, MetricsError } from "../errors.js";
import {
  type Granularity,
  granularityRange,
  MAX_INSTANT,
  MIN_INSTANT,
  parseGranularity,
} from "../time/index.js";
import type { GranularityRangeOptions, TimeInput } from "./types.js";

const SLUG = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$/;

/** Throws `E_INVALID_SLUG` unless `value` is a valid slug, category or group name. */
export function checkName(value: unknown, what = "slug"): string {
  if (typeof value === "string" && SLUG.test(value)) return value;
  throw new MetricsError(
    "E_INVALID_SLUG",
    `Invalid ${what} ${describeValue(value)}: use 1-200 characters from A-Z a-z 0-9 _ . : - starting with a letter or digit`,
  );
}

/** Throws `E_INVALID_COUNT` unless `value` is a finite safe integer. */
export function checkCount(value: unknown, what = "count"): number {
  if (typeof value === "number" && Number.isSafeInteger(value)) return value;
  throw new MetricsError(
    "E_INVALID_COUNT",
    `Invalid ${what} ${describeValue(value)}: expected a safe integer`,
  );
}

/** Epoch ms of a Date, epoch-ms number or ISO string; `E_INVALID_DATE` otherwise. */
export function toInstant(value: TimeInput | undefined, fallback: () => number, what = "date"): number {
  if (value === undefined) return fallback();
  let t: number;
  if (value instanceof Date) t = value.getTime();
  else if (typeof value === "number") t = value;
  else if (typeof value === "string" && value.trim() !== "") t = Date.parse(value);
  else t = Number.NaN;
  if (!Number.isFinite(t) || t < MIN_INSTANT || t > MAX_INSTANT) {
    throw new MetricsError(
      "E_INVALID_DATE",
      `Invalid ${what} ${describeValue(value)}: expected a Date, epoch milliseconds or an ISO 8601 string between years 1000 and 9999`,
    );
  }
  return Math.floor(t);
}

/** Resolves granularity ranges, memoising the (frozen) result per min/max pair. */
export function createRangeResolver(defaults: GranularityRangeOptions) {
  const cache = new Map<string, readonly Granularity[]>();
  const resolve = (options: GranularityRangeOptions | undefined): readonly Granularity[] => {
    const min = options?.min ?? defaults.min ?? "hours";
    const max = options?.max ?? defaults.max ?? "years";
    const key = `${min}|${max}`;
    let found = cache.get(key);
    if (!found) {
      found = Object.freeze(granularityRange(parseGranularity(min), parseGranularity(max)));
      if (cache.size < 64) cache.set(key, found);
    }
    return found;
  };
  return resolve;
}
