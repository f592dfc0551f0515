import fc from "fast-check";
import type { Hono } from "hono";
import type { Metrics } from "../../src/core/index.js";

/** Arbitraries for fuzzing every route of an app: methods, paths, queries, headers, bodies. */

export const TOKEN = "fuzz-token-read-write-0001";

const HUGE = [
  "1e400",
  "-1e400",
  "9007199254740993",
  "99999999999999999999999999",
  "1e-400",
  "NaN",
  "Infinity",
];
const NAMES = ["a", "page_views", "__proto__", "constructor", "prototype", "toString", "hasOwnProperty"];

/** A path segment: plausible names, prototype keys, encodings that do not decode, very long ones. */
const segment = fc.oneof(
  fc.constantFrom(...NAMES, "..", ".", "%00", "%ff", "%", "%zz", "%2F", "a%20b", "%C0%AF", "x".repeat(5000)),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}$/),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
);

/** A query value: dates, numbers past every limit, durations, empty, garbage. */
const queryValue = fc.oneof(
  fc.constantFrom(
    ...HUGE,
    "",
    "1",
    "0",
    "-1",
    "2024-03-15",
    "2024-03-15T10:00:00Z",
    "2024-02-30",
    "7d",
    "0d",
  ),
  fc.constantFrom("minutes", "hours", "days", "weeks", "years", "dayz", "csv", "json", "a,b,c", "__proto__"),
  fc.string({ maxLength: 20 }),
);
const queryKey = fc.oneof(
  fc.constantFrom("from", "to", "range", "granularity", "format", "slugs", "category", "limit"),
  fc.constantFrom("__proto__", "constructor", "__proto__[polluted]", "token", "at"),
  fc.string({ maxLength: 8 }),
);
const query = fc.array(fc.tuple(queryKey, queryValue), { maxLength: 5 }).map((pairs) => {
  const params = new URLSearchParams(pairs);
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
});

/** The app's own route table, with each `:param` filled by a fuzzed segment. */
export function pathArb(app: Hono): fc.Arbitrary<string> {
  const templates = [...new Set(app.routes.map((r) => r.path))].filter((p) => !p.includes("*"));
  return fc
    .oneof(
      { weight: 4, arbitrary: fc.constantFrom(...templates) },
      { weight: 1, arbitrary: fc.constant("/api/v1/:x/:y") },
    )
    .chain((template) => {
      const parts = template.split("/");
      return fc
        .tuple(...parts.map((p) => (p.startsWith(":") ? segment : fc.constant(p))))
        .map((filled) => filled.join("/") || "/");
    });
}

export const methodArb = fc.constantFrom("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "FOO");

const count = fc.oneof(
  fc.integer(),
  fc.constantFrom(2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER, 1e308, -1e308, 0.5, -0),
  fc.double(),
);
const event = fc.record(
  {
    slug: fc.oneof(fc.constantFrom(...NAMES, "bad slug", ""), fc.string({ maxLength: 12 })),
    by: count,
    at: fc.oneof(
      fc.constantFrom("1", "2024-03-15", "2024-03-15T10:00:00Z", "not a date", "", "+275760-09-13"),
      fc.integer(),
      fc.constantFrom(8.64e15 + 1, -8.64e15 - 1, 1e308),
    ),
    category: fc.oneof(fc.constantFrom("web", "__proto__", "bad cat"), fc.string({ maxLength: 8 })),
    count: fc.integer(),
  },
  { requiredKeys: [] },
);

/** Bodies as bytes: events, any JSON, deep nesting, huge literals, invalid UTF-8, prototype keys. */
export const bodyArb: fc.Arbitrary<Uint8Array | string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.array(event, { maxLength: 4 }).map((e) => JSON.stringify(e)),
  event.map((e) => JSON.stringify(e)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.constantFrom(
    '{"__proto__":{"slug":"polluted","polluted":true}}',
    '[{"slug":"a","__proto__":{"by":5}}]',
    '{"constructor":{"prototype":{"polluted":true}}}',
    '{"value":1e400}',
    '{"value":-1e400}',
    '[{"slug":"a","by":1e400}]',
    '[{"slug":"a","by":99999999999999999999999}]',
    '{"slug":"a","by":9007199254740993}',
    '{"slug":"a","at":"1"}',
    '{"value":"17"}',
    "",
    "null",
    "[]",
    "{",
    "\u0000",
  ),
  fc.integer({ min: 1, max: 20_000 }).map((n) => "[".repeat(n) + "]".repeat(n)),
  fc.integer({ min: 1, max: 5_000 }).map((n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Uint8Array.from([0x7b, 0xff, 0xfe, ...bytes, 0xc0, 0x80])),
  fc.constant("x".repeat(70_000)),
);

export const headersArb = fc.record(
  {
    "Content-Type": fc.constantFrom(
      "application/json",
      "application/json; charset=utf-8",
      "application/merge-patch+json",
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/json; charset=latin1",
      "",
    ),
    Accept: fc.constantFrom("text/csv", "application/json", "*/*", "text/html", "text/csv, application/json"),
    Authorization: fc.constantFrom(
      `Bearer ${TOKEN}`,
      "Bearer wrong-token-0000000000",
      "Basic YTpi",
      "Bearer",
      "",
    ),
  },
  { requiredKeys: [] },
);

export const requestArb = (app: Hono) =>
  fc.record({ method: methodArb, path: pathArb(app), query, headers: headersArb, body: bodyArb });

/** Everything a request could change in the store, as one comparable string. */
export async function snapshot(metrics: Metrics): Promise<string> {
  const slugs = await metrics.slugs();
  return JSON.stringify({
    slugs,
    totals: await Promise.all(slugs.map((s) => metrics.total(s))),
    categories: await metrics.categories(),
    gauges: await metrics.gauges(),
    definitions: await metrics.definitions(),
    sets: await metrics.store.metricSets(),
  });
}
