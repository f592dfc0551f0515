import { describeValue, MetricsError } from "../errors.js";

/** Most reports `sendReports()` sends per set and run after a downtime. */
export const DEFAULT_MAX_CATCH_UP = 7;
/** Upper bound of `maxCatchUp` (a cron schedule every minute would otherwise read a month of runs). */
export const MAX_CATCH_UP_LIMIT = 1000;

const invalid = (message: string): MetricsError => new MetricsError("E_INVALID_OPTION", message);

/**
 * Throw `E_INVALID_OPTION` unless `value` is an options object (not an array;
 * a null prototype is fine) whose own keys are all in `allowed`. The message
 * names the unknown key and the nearest allowed one, e.g.
 * `sendReports() has no option "maxCatchup"; did you mean "maxCatchUp"?`.
 */
export function checkOptionKeys(
  value: unknown,
  allowed: readonly string[],
  where: string,
): asserts value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw invalid(`${where} takes an options object, got ${describeValue(value)}`);
  }
  for (const key of Reflect.ownKeys(value)) {
    if (typeof key === "string" && allowed.includes(key)) continue;
    const name = typeof key === "string" ? key : String(key);
    throw invalid(
      `${where} has no option ${describeValue(name)}; did you mean ${JSON.stringify(nearest(name, allowed))}? (options: ${allowed.join(", ")})`,
    );
  }
}

/** `value` as a count of catch-up periods: an integer from 1 to {@link MAX_CATCH_UP_LIMIT}. */
export function checkMaxCatchUp(value: unknown): number {
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_CATCH_UP_LIMIT) {
    return value;
  }
  throw invalid(`maxCatchUp must be an integer from 1 to ${MAX_CATCH_UP_LIMIT}, got ${describeValue(value)}`);
}

/** The allowed name closest to `name` (edit distance ignoring case; the first of equals). */
export function nearest(name: string, allowed: readonly string[]): string {
  let best = allowed[0] ?? "";
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of allowed) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(
        (previous[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = row;
  }
  return previous[b.length] as number;
}
