import fc from "fast-check";
import type { Metrics } from "../../src/core/types.js";
import { MetricsError } from "../../src/errors.js";

/** Codes that bad input may produce; anything else (E_STORE, a TypeError) is a defect. */
export const INPUT_CODES = new Set([
  "E_INVALID_SLUG",
  "E_INVALID_COUNT",
  "E_INVALID_DATE",
  "E_INVALID_RANGE",
  "E_INVALID_GRANULARITY",
  "E_INVALID_TIMEZONE",
  "E_INVALID_OPTION",
  "E_RANGE_TOO_LARGE",
  "E_GRANULARITY_NOT_RECORDED",
  "E_COUNT_OVERFLOW",
  "E_TOO_MANY_SLUGS",
  "E_UNSUPPORTED",
]);

/** Any value a careless or hostile caller could pass: null prototypes, bigints, symbols, arrays, functions, dates. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    withNullPrototype: true,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withSparseArray: true,
    withBoxedValues: true,
    withObjectString: true,
    maxDepth: 2,
  }),
  fc.constantFrom(
    Symbol("s"),
    () => 1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -0,
    2 ** 53,
    "",
    "  ",
    "1",
    "2024",
    "2024-02-30",
    "constructor",
    "__proto__",
    "toString",
    Object.create(null),
    [],
    ["a"],
    new Date(Number.NaN),
  ),
);

/** A value that is sometimes valid, so that a call gets past its first check. */
export const slugish = fc.oneof(hostile, fc.constantFrom("a", "seeded", "b:c"));
export const granularityish = fc.oneof(hostile, fc.constantFrom("hours", "days", "minute", "years"));
export const timeish = fc.oneof(
  hostile,
  fc.constantFrom(Date.UTC(2024, 0, 1), "2024-01-01", "2024-01-01T10:00", new Date(Date.UTC(2024, 0, 2))),
);

/** An options object with some known keys (hostile or plausible values) and maybe an unknown one. */
export function optionsOf(shape: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  const known = fc.record(shape, { requiredKeys: [] });
  return fc.oneof(
    hostile,
    known,
    fc
      .tuple(known, fc.string({ minLength: 1, maxLength: 8 }), hostile, fc.boolean())
      .filter(([, key]) => !Object.hasOwn(shape, key))
      .map(([o, key, value, nullProto]) => {
        const out = nullProto ? Object.assign(Object.create(null), o) : { ...o };
        Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
        return out;
      }),
  );
}

/** Everything observable in a metrics instance's store. */
export async function snapshot(m: Metrics) {
  const slugs = await m.store.slugs();
  const totals = await Promise.all(slugs.map((s) => m.store.total(s)));
  const infos = await Promise.all(slugs.map((s) => m.store.slugInfo(s)));
  return {
    slugs,
    totals,
    infos,
    categories: await m.store.categories(),
    groups: await m.store.groups(),
    gauges: await m.store.gauges(),
    definitions: await m.store.definitions(),
    sets: await m.store.metricSets(),
  };
}

/**
 * Call `fn`: it must not throw synchronously, and must resolve or reject with
 * a MetricsError holding an input code. Returns the error (undefined on success).
 */
export async function outcome(fn: () => unknown): Promise<MetricsError | undefined> {
  let result: unknown;
  try {
    result = fn();
  } catch (error) {
    throw new Error(`threw synchronously: ${String(error)}`);
  }
  if (!(result instanceof Promise)) throw new Error("did not return a promise");
  return settle(result);
}

/** The MetricsError a promise rejects with (undefined when it resolves); fails on any other error. */
export async function settle(promise: Promise<unknown>): Promise<MetricsError | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return checkError(error);
  }
}

/** `error` as a MetricsError with an input code, or a thrown assertion. */
export function checkError(error: unknown): MetricsError {
  if (!(error instanceof MetricsError)) throw new Error(`not a MetricsError: ${String(error)}`);
  if (!INPUT_CODES.has(error.code)) throw new Error(`unexpected code ${error.code}: ${error.message}`);
  return error;
}
