import { checkName } from "../core/index.js";
import { describeValue, MetricsError } from "../errors.js";
import type { MetricSetRecord } from "../stores/types.js";
import { checkOptionKeys } from "./_options.js";
import { isCalendarSchedule, parseCron } from "./period.js";
import type { MetricSetOptions } from "./types.js";

const SET_OPTIONS = ["name", "metrics", "recipients", "schedule", "thresholds"] as const;
const MAX_NAME = 200;
const MAX_ITEMS = 50;
/** A pragmatic address check: one "@", no spaces or angle brackets, a dot in the domain. */
const EMAIL = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;.]+$/;
/**
 * True when `text` holds a control character (C0, DEL, C1) or a lone
 * surrogate: Postgres refuses NUL and unpaired surrogates, terminals obey escapes.
 */
export function hasControl(text: string): boolean {
  if (/\p{Cs}/u.test(text)) return true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

const invalid = (message: string): MetricsError => new MetricsError("E_INVALID_OPTION", message);

/**
 * Validate `createMetricSet()` options into a record (without `createdAt`).
 * Throws `E_INVALID_OPTION` (or `E_INVALID_SLUG`) naming the bad value.
 */
export function checkMetricSet(
  options: MetricSetOptions,
  timezone: string,
): Omit<MetricSetRecord, "createdAt"> {
  if (options === null || typeof options !== "object") {
    throw invalid(
      `createMetricSet() needs { name, metrics, recipients, schedule? }, got ${describeValue(options)}`,
    );
  }
  checkOptionKeys(options, SET_OPTIONS, "createMetricSet()");
  const { name, metrics, recipients, thresholds } = options;
  if (typeof name !== "string" || name.trim() === "" || name.length > MAX_NAME || hasControl(name)) {
    throw invalid(
      `name must be 1–${MAX_NAME} characters on one line, without control characters, got ${describeValue(name)}`,
    );
  }
  const slugs = checkList(metrics, "metrics").map((slug) => checkName(slug, "metric slug"));
  if (new Set(slugs).size !== slugs.length) {
    throw invalid(`metrics must not repeat a slug, got ${describeValue(slugs)}`);
  }
  const to = checkList(recipients, "recipients").map((address) => {
    if (typeof address !== "string" || address.length > 254 || !EMAIL.test(address) || hasControl(address)) {
      throw invalid(`recipients must be e-mail addresses, got ${describeValue(address)}`);
    }
    return address;
  });
  const schedule = options.schedule ?? "daily";
  if (typeof schedule !== "string" || schedule.trim() === "") {
    throw invalid(
      `schedule must be "daily", "weekly", "monthly" or a cron expression, got ${describeValue(schedule)}`,
    );
  }
  if (!isCalendarSchedule(schedule)) parseCron(schedule, timezone);
  const record: Omit<MetricSetRecord, "createdAt"> = { name, metrics: slugs, recipients: to, schedule };
  if (thresholds !== undefined) record.thresholds = checkThresholds(thresholds, slugs);
  return record;
}

function checkList(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > MAX_ITEMS) {
    throw invalid(`${what} must be an array of 1–${MAX_ITEMS} entries, got ${describeValue(value)}`);
  }
  return value;
}

function checkThresholds(
  value: unknown,
  slugs: string[],
): Record<string, { above?: number; below?: number }> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw invalid(`thresholds must be an object keyed by slug, got ${describeValue(value)}`);
  }
  const out: Record<string, { above?: number; below?: number }> = {};
  for (const [slug, bounds] of Object.entries(value as Record<string, unknown>)) {
    if (!slugs.includes(slug)) {
      throw invalid(`thresholds name ${describeValue(slug)}, which is not one of the set's metrics`);
    }
    if (bounds === null || typeof bounds !== "object" || Array.isArray(bounds)) {
      throw invalid(`thresholds.${slug} must be { above?, below? }, got ${describeValue(bounds)}`);
    }
    const entry: { above?: number; below?: number } = {};
    for (const [key, bound] of Object.entries(bounds as Record<string, unknown>)) {
      if (key !== "above" && key !== "below") {
        throw invalid(`thresholds.${slug} accepts only "above" and "below", got ${describeValue(key)}`);
      }
      if (bound === undefined) continue;
      if (typeof bound !== "number" || !Number.isFinite(bound)) {
        throw invalid(`thresholds.${slug}.${key} must be a finite number, got ${describeValue(bound)}`);
      }
      entry[key] = bound;
    }
    out[slug] = entry;
  }
  return out;
}
