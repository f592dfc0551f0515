import { bufferedCapture, type Capture, directCapture, queueCapture } from "../capture/index.js";
import { describeValue, MetricsError } from "../errors.js";
import type { MetricDefinition, Store } from "../stores/types.js";
import type { Calendar } from "../time/index.js";
import { checkName } from "./_validate.js";
import type { MetricsOptions } from "./types.js";

/** The capture strategy named by `options.capture`; throws for an unknown one. */
export function makeCapture(options: MetricsOptions, store: Store, calendar: Calendar): Capture {
  const c = options.capture ?? "direct";
  if (c === "direct" || (typeof c === "object" && c !== null && c.mode === "direct"))
    return directCapture(store);
  if (typeof c === "object" && c !== null && (c.mode === "buffered" || c.mode === "queue")) {
    for (const key of ["flushMs", "maxPending", "writeTimeoutMs"] as const) {
      const v = c[key];
      if (v !== undefined && (!Number.isSafeInteger(v) || v < 1)) {
        throw new MetricsError(
          "E_INVALID_OPTION",
          `capture.${key} must be a positive integer, got ${describeValue(v)}`,
        );
      }
    }
    const common = {
      ...(c.flushMs !== undefined && { flushMs: c.flushMs }),
      ...(c.maxPending !== undefined && { maxPending: c.maxPending }),
      ...(c.writeTimeoutMs !== undefined && { writeTimeoutMs: c.writeTimeoutMs }),
      ...(options.logger && { logger: options.logger }),
    };
    if (c.mode === "buffered") return bufferedCapture(store, common);
    const { connection, queueName, prefix, attempts } = c;
    if (typeof connection !== "string" && (connection === null || typeof connection !== "object")) {
      throw new MetricsError(
        "E_INVALID_OPTION",
        `capture.connection must be a Redis URL or connection options, got ${describeValue(connection)}`,
      );
    }
    if (attempts !== undefined && (!Number.isSafeInteger(attempts) || attempts < 1)) {
      throw new MetricsError(
        "E_INVALID_OPTION",
        `capture.attempts must be a positive integer, got ${describeValue(attempts)}`,
      );
    }
    return queueCapture(calendar, {
      ...common,
      connection,
      ...(queueName !== undefined && { queueName }),
      ...(prefix !== undefined && { prefix }),
      ...(attempts !== undefined && { attempts }),
    });
  }
  throw new MetricsError(
    "E_INVALID_OPTION",
    `Unknown capture ${describeValue(c)}; use "direct", { mode: "buffered" } or { mode: "queue", connection }`,
  );
}

/** A trimmed copy of a metric definition; `E_INVALID_SLUG` / `E_INVALID_OPTION` for bad fields. */
export function checkDefinition(d: MetricDefinition): MetricDefinition {
  if (d === null || typeof d !== "object") {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `createMetric() needs { name, slug }, got ${describeValue(d)}`,
    );
  }
  const slug = checkName(d.slug);
  const text = (key: "name" | "description" | "unit", max: number, required: boolean): string | undefined => {
    const v = d[key];
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
