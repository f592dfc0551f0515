import {
  bufferedCapture,
  type Capture,
  directCapture,
  type QueueConnection,
  queueCapture,
} from "../capture/index.js";
import { describeValue, MetricsError } from "../errors.js";
import type { Logger, MetricDefinition, Store } from "../stores/types.js";
import type { Calendar } from "../time/index.js";
import { checkKeys, isPlainObject, keySet } from "./_schema.js";
import { checkFunction, checkName, checkPositive } from "./_validate.js";
import type { MetricsOptions } from "./types.js";

const METRICS_KEYS = [
  "store",
  "timezone",
  "weekStart",
  "granularities",
  "maxPoints",
  "maxSlugs",
  "capture",
  "now",
  "logger",
] as const satisfies readonly (keyof MetricsOptions)[];
// Compile-time check that a new MetricsOptions key is listed here (else it would be refused at run time).
const everyOptionListed: [Exclude<keyof MetricsOptions, (typeof METRICS_KEYS)[number]>] extends [never]
  ? true
  : Exclude<keyof MetricsOptions, (typeof METRICS_KEYS)[number]> = true;
void everyOptionListed;

/** Every key of {@link MetricsOptions}. */
export const METRICS_OPTIONS = keySet("createMetrics() options", METRICS_KEYS);

/** The methods every store has (`aggregate` is optional). */
const STORE_METHODS = [
  "attach",
  "record",
  "recordBatch",
  "read",
  "total",
  "slugInfo",
  "slugs",
  "categories",
  "categorySlugs",
  "groups",
  "groupSlugs",
  "setGauge",
  "gauge",
  "gauges",
  "deleteMetric",
  "putDefinition",
  "definitions",
  "putMetricSet",
  "metricSets",
  "deleteMetricSet",
  "claimReport",
  "completeReport",
  "releaseReport",
  "dispose",
] as const satisfies readonly (keyof Store)[];

// Compile-time check that STORE_METHODS lists every required method of Store (optional ones may be absent).
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type Unlisted = Exclude<RequiredKeys<Store>, (typeof STORE_METHODS)[number] | "kind">;
const everyMethodListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyMethodListed;

/** Throws `E_INVALID_OPTION` unless `store` has every method of the {@link Store} contract. */
export function checkStore(store: unknown): Store {
  if (typeof store !== "object" || store === null) {
    throw new MetricsError("E_INVALID_OPTION", `store must be a Store object, got ${describeValue(store)}`);
  }
  const s = store as Record<string, unknown>;
  const missing = STORE_METHODS.filter((m) => typeof s[m] !== "function");
  if (typeof s.kind !== "string") missing.unshift("kind" as never);
  if (s.aggregate !== undefined && typeof s.aggregate !== "function") missing.push("aggregate" as never);
  if (missing.length > 0) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `store is not a Store: missing or invalid ${missing.join(", ")} (use memoryStore(), redisStore() or postgresStore())`,
    );
  }
  return store as Store;
}

/** Throws `E_INVALID_OPTION` unless `logger` is undefined or has `warn` and `error` functions. */
export function checkLogger(logger: unknown): Logger | undefined {
  if (logger === undefined) return undefined;
  const l = logger as Record<string, unknown>;
  if (
    typeof logger !== "object" ||
    logger === null ||
    typeof l.warn !== "function" ||
    typeof l.error !== "function" ||
    (l.debug !== undefined && typeof l.debug !== "function") ||
    (l.info !== undefined && typeof l.info !== "function")
  ) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `logger must have warn() and error() methods (console fits), got ${describeValue(logger)}`,
    );
  }
  return logger as Logger;
}

const DIRECT = keySet("capture", ["mode"]);
const BATCHING = ["mode", "flushMs", "maxPending", "writeTimeoutMs"];
const BUFFERED = keySet("capture", BATCHING);
const QUEUE = keySet("capture", [...BATCHING, "connection", "queueName", "prefix", "attempts"]);

/** The capture strategy named by `options.capture`; throws `E_INVALID_OPTION` for anything else. */
export function makeCapture(options: MetricsOptions, store: Store, calendar: Calendar): Capture {
  const capture: unknown = options.capture;
  const logger = options.logger;
  if (capture === undefined || capture === "direct") return directCapture(store);
  if (isPlainObject(capture) && capture.mode === "direct") {
    checkKeys(capture, DIRECT);
    return directCapture(store);
  }
  if (isPlainObject(capture) && (capture.mode === "buffered" || capture.mode === "queue")) {
    checkKeys(capture, capture.mode === "buffered" ? BUFFERED : QUEUE);
    const flushMs = checkPositive(capture.flushMs, "capture.flushMs");
    const maxPending = checkPositive(capture.maxPending, "capture.maxPending");
    const writeTimeoutMs = checkPositive(capture.writeTimeoutMs, "capture.writeTimeoutMs");
    const common = {
      ...(flushMs !== undefined && { flushMs }),
      ...(maxPending !== undefined && { maxPending }),
      ...(writeTimeoutMs !== undefined && { writeTimeoutMs }),
      ...(logger && { logger }),
    };
    if (capture.mode === "buffered") return bufferedCapture(store, common);
    const { connection, queueName, prefix } = capture;
    if (typeof connection !== "string" && !isPlainObject(connection)) {
      throw new MetricsError(
        "E_INVALID_OPTION",
        `capture.connection must be a Redis URL or connection options, got ${describeValue(connection)}`,
      );
    }
    for (const [key, v] of [
      ["queueName", queueName],
      ["prefix", prefix],
    ] as const) {
      if (v !== undefined && (typeof v !== "string" || v === "")) {
        throw new MetricsError(
          "E_INVALID_OPTION",
          `capture.${key} must be a non-empty string, got ${describeValue(v)}`,
        );
      }
    }
    const attempts = checkPositive(capture.attempts, "capture.attempts");
    return queueCapture(calendar, {
      ...common,
      connection: connection as QueueConnection,
      ...(queueName !== undefined && { queueName: queueName as string }),
      ...(prefix !== undefined && { prefix: prefix as string }),
      ...(attempts !== undefined && { attempts }),
    });
  }
  throw new MetricsError(
    "E_INVALID_OPTION",
    `Unknown capture ${describeValue(capture)}; use "direct", { mode: "buffered" } or { mode: "queue", connection }`,
  );
}

/** Checks the options `createMetrics()` uses as they are (store, clock, logger). */
export function checkMetricsOptions(options: unknown): Record<string, unknown> {
  if (options === null) {
    throw new MetricsError("E_INVALID_OPTION", "createMetrics() options must be a plain object, got null");
  }
  const o = checkKeys(options, METRICS_OPTIONS);
  if (o.store !== undefined) checkStore(o.store);
  checkFunction(o.now, "now");
  checkLogger(o.logger);
  if (o.timezone !== undefined && typeof o.timezone !== "string") {
    throw new MetricsError(
      "E_INVALID_TIMEZONE",
      `timezone must be an IANA zone name, got ${describeValue(o.timezone)}`,
    );
  }
  return o;
}

const DEFINITION = keySet("createMetric() definition", ["slug", "name", "description", "unit"]);

/** A trimmed copy of a metric definition; `E_INVALID_SLUG` / `E_INVALID_OPTION` for bad fields. */
export function checkDefinition(d: unknown): MetricDefinition {
  const o = checkKeys(d, DEFINITION, false);
  const slug = checkName(o.slug);
  const text = (key: "name" | "description" | "unit", max: number, required: boolean): string | undefined => {
    const v = o[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== "string" || v.trim() === "" || v.length > max) {
      throw new MetricsError(
        "E_INVALID_OPTION",
        `Metric ${key} must be a non-empty string of at most ${max} characters, got ${describeValue(v)}`,
      );
    }
    return v.trim();
  };
  const out: MetricDefinition = { slug, name: text("name", 200, true) as string };
  const description = text("description", 2000, false);
  const unit = text("unit", 40, false);
  if (description !== undefined) out.description = description;
  if (unit !== undefined) out.unit = unit;
  return out;
}
