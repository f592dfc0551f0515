import { describeValue, MetricsError } from "../errors.js";

/**
 * Option-object checks shared by every public method: an options argument is
 * a plain object (or a null-prototype one) whose own keys are all known.
 * Written by hand rather than with a schema library because `record()` runs
 * it on the hot path: no allocation when the object is valid.
 */

/** The keys one options object may hold. */
export interface KeySet {
  /** How messages name the object, e.g. `"record() options"`. */
  readonly what: string;
  readonly keys: ReadonlySet<string>;
}

/** A {@link KeySet} for `keys`. */
export function keySet(what: string, keys: readonly string[]): KeySet {
  return { what, keys: new Set(keys) };
}

/** Names users reach for that mean a key under another name. */
const SYNONYMS = new Map<string, readonly string[]>(
  Object.entries({
    count: ["by"],
    amount: ["by"],
    value: ["by"],
    increment: ["by"],
    num: ["by"],
    by: ["count"],
    when: ["at"],
    time: ["at"],
    date: ["at"],
    timestamp: ["at"],
    at: ["when"],
    start: ["from", "dtStart"],
    end: ["to", "dtEnd"],
    since: ["from"],
    until: ["to"],
    dtStart: ["from"],
    dtEnd: ["to"],
    from: ["dtStart"],
    to: ["dtEnd"],
    timeZone: ["timezone"],
    tz: ["timezone"],
    zone: ["timezone"],
    granularity: ["granularities"],
    min: ["minGranularity"],
    max: ["maxGranularity"],
  }),
);

/** True for `{}`-style objects: an object whose prototype is `Object.prototype` or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Throws `E_INVALID_OPTION` unless `value` is undefined (when `optional`) or a
 * plain object whose own enumerable keys are all in `set`. Returns the object
 * (an empty one for undefined).
 */
export function checkKeys(value: unknown, set: KeySet, optional = true): Record<string, unknown> {
  if (value === undefined && optional) return EMPTY;
  if (!isPlainObject(value)) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `${set.what} must be a plain object${optional ? " or undefined" : ""}, got ${describeValue(value)}`,
    );
  }
  for (const key in value) {
    if (!set.keys.has(key)) throw unknownKey(key, set);
  }
  return value;
}

const EMPTY: Record<string, unknown> = Object.freeze({});

/** `E_INVALID_OPTION` naming `key` and the known key nearest to it. */
export function unknownKey(key: string, set: KeySet): MetricsError {
  const near = nearest(key, [...set.keys]);
  return new MetricsError(
    "E_INVALID_OPTION",
    `Unknown option ${describeValue(key)} in ${set.what}${near ? `; did you mean "${near}"?` : ""} Known options: ${[...set.keys].join(", ")}`,
  );
}

/** The candidate nearest to `key`: a known synonym, else the smallest edit distance (case-insensitive). */
export function nearest(key: string, candidates: readonly string[]): string | undefined {
  for (const s of SYNONYMS.get(key) ?? []) if (candidates.includes(s)) return s;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(key.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Math.max(a.length, b.length);
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const prev = rows[i - 1] as number[];
      let d = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row.push(d);
    }
    rows.push(row);
  }
  return (rows[a.length] as number[])[b.length] as number;
}
