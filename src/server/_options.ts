import { describeValue, MetricsError } from "../errors.js";

/** Edit distance between two short option names (Levenshtein). */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The valid key closest to `key` (case-insensitively), for "did you mean" hints. */
export function nearestKey(key: string, valid: readonly string[]): string {
  let best = valid[0] ?? "";
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of valid) {
    const [k, c] = [key.toLowerCase(), candidate.toLowerCase()];
    // A prefix ("host" of "hostname") is nearer than any edit.
    const d = c.startsWith(k) || k.startsWith(c) ? 0.5 : distance(k, c);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Check that `value` is a plain options object (or `undefined`) whose own keys
 * are all in `valid`; throws `E_INVALID_OPTION` naming the bad key and the
 * nearest valid one. Returns the object (`{}` for `undefined`).
 */
export function checkOptions<T extends object>(name: string, value: unknown, valid: readonly string[]): T {
  if (value === undefined) return {} as T;
  const isObject = value !== null && typeof value === "object" && !Array.isArray(value);
  const proto: unknown = isObject ? Object.getPrototypeOf(value) : undefined;
  if (!isObject || (proto !== Object.prototype && proto !== null)) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `${name} must be an options object, got ${describeValue(value)}`,
    );
  }
  for (const key of Reflect.ownKeys(value as object)) {
    const text = typeof key === "symbol" ? key.toString() : key;
    if (typeof key === "symbol" || !valid.includes(key)) {
      throw new MetricsError(
        "E_INVALID_OPTION",
        `Unknown ${name} key ${JSON.stringify(text)}; did you mean "${nearestKey(text, valid)}"? (valid: ${valid.join(", ")})`,
      );
    }
  }
  return value as T;
}

/** An optional positive safe integer option, or its default. */
export function positiveOption(name: string, value: unknown, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= min) return value;
  throw new MetricsError(
    "E_INVALID_OPTION",
    `${name} must be an integer ≥ ${min}, got ${describeValue(value)}`,
  );
}

/** An optional boolean option, or its default. */
export function booleanOption(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === "boolean") return value;
  throw new MetricsError("E_INVALID_OPTION", `${name} must be true or false, got ${describeValue(value)}`);
}
