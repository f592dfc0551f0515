import { describeValue, MetricsError } from "../errors.js";
import { type Granularity, granularityRange, parseGranularity } from "../time/index.js";
import { AGGREGATE } from "./_keys.js";
import { checkKeys, keySet } from "./_schema.js";
import type { GranularityRangeOptions } from "./types.js";

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

/** Throws `E_INVALID_OPTION` unless `value` is undefined or a positive safe integer (or Infinity when allowed). */
export function checkPositive(value: unknown, what: string, allowInfinity = false): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number" && Number.isSafeInteger(value) && value > 0) return value;
  if (allowInfinity && value === Number.POSITIVE_INFINITY) return value;
  throw new MetricsError(
    "E_INVALID_OPTION",
    `${what} must be a positive integer${allowInfinity ? " or Infinity" : ""}, got ${describeValue(value)}`,
  );
}

/** Throws `E_INVALID_OPTION` unless `value` is undefined or a function. */
export function checkFunction(value: unknown, what: string): void {
  if (value !== undefined && typeof value !== "function") {
    throw new MetricsError("E_INVALID_OPTION", `${what} must be a function, got ${describeValue(value)}`);
  }
}

const RANGE = keySet("granularities", ["min", "max"]);

/**
 * Resolves granularity ranges (`{ min, max }`, each a granularity name),
 * memoising the (frozen) result per min/max pair.
 */
export function createRangeResolver(defaults: unknown) {
  const base = checkKeys(defaults, RANGE) as GranularityRangeOptions;
  /** Resolved ranges by min, then max: no key string built per call. */
  const cache = new Map<string, Map<string, readonly Granularity[]>>();
  let cached = 0;
  const resolve = (options: unknown): readonly Granularity[] => {
    if (options !== null && typeof options === "object" && Object.getPrototypeOf(options) === null) {
      // An object without a prototype is not an options literal (often a dictionary by mistake).
      throw new MetricsError(
        "E_INVALID_OPTION",
        `granularities must be an object literal like { min: "hours", max: "years" }, got an object with a null prototype`,
      );
    }
    const o = checkKeys(options, RANGE) as GranularityRangeOptions;
    // undefined means "the default"; null is a bad value, not a missing one.
    const min: unknown = o.min !== undefined ? o.min : base.min !== undefined ? base.min : "hours";
    const max: unknown = o.max !== undefined ? o.max : base.max !== undefined ? base.max : "years";
    if (typeof min !== "string" || typeof max !== "string") {
      return granularityRange(parseGranularity(min), parseGranularity(max));
    }
    const byMax = cache.get(min);
    const hit = byMax?.get(max);
    if (hit) return hit;
    const found = Object.freeze(granularityRange(parseGranularity(min), parseGranularity(max)));
    // Names are case-insensitive, so spellings are many: cache the first few.
    if (cached < 64) {
      if (byMax) byMax.set(max, found);
      else cache.set(min, new Map([[max, found]]));
      cached++;
    }
    return found;
  };
  return resolve;
}

/** Throws `E_INVALID_OPTION` unless `options` fit `aggregate()`: known keys, batchSize, onProgress, signal. */
export function checkAggregateOptions(options: unknown): void {
  const o = checkKeys(options, AGGREGATE);
  checkPositive(o.batchSize, "batchSize");
  checkFunction(o.onProgress, "onProgress");
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `signal must be an AbortSignal, got ${describeValue(o.signal)}`,
    );
  }
}
