import { z } from "zod";
import type { RecordEvent } from "../core/index.js";
import { describeValue, MetricsError } from "../errors.js";
import { parseInstant } from "../time/index.js";
import { ApiError } from "./_errors.js";

/** One event of `POST /events`. Types only; the library checks names, counts and dates. */
const eventSchema = z.strictObject({
  slug: z.string(),
  by: z.number().optional(),
  at: z.union([z.string(), z.number()]).optional(),
  category: z.string().optional(),
  group: z.string().optional(),
});

const eventsSchema = z.array(eventSchema);

/** Query of `GET /metrics/:slug`. */
const historyQuerySchema = z.strictObject({
  from: z.string().optional(),
  to: z.string().optional(),
  range: z.string().optional(),
  granularity: z.string().optional(),
  format: z.enum(["json", "csv"]).optional(),
});

/** Body of `PUT /gauges/:slug`. */
const gaugeSchema = z.strictObject({ value: z.number() });

export type HistoryQuery = z.infer<typeof historyQuerySchema>;

/** `events[2].by` from a zod issue path. */
function pathText(root: string, path: readonly PropertyKey[]): string {
  let text = root;
  for (const key of path)
    text += typeof key === "number" ? `[${key}]` : text ? `.${String(key)}` : String(key);
  return text;
}

/** Parse with a schema, or throw a 400 `E_INVALID_REQUEST` naming the first bad field. */
function parseWith<T>(schema: z.ZodType<T>, value: unknown, root: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue ? pathText(root, issue.path) : root;
  throw new ApiError(400, "E_INVALID_REQUEST", `${where || "body"}: ${issue?.message ?? "invalid value"}`);
}

/**
 * The events of a `POST /events` body: one event object or an array of at most
 * `maxEvents`. Too many → 413; a wrong shape → 400 naming the field.
 */
export function parseEvents(body: unknown, maxEvents: number): RecordEvent[] {
  const list = Array.isArray(body) ? body : [body];
  if (list.length > maxEvents) {
    throw new ApiError(
      413,
      "E_PAYLOAD_TOO_LARGE",
      `A batch holds at most ${maxEvents} events, got ${list.length}; split it`,
    );
  }
  if (list.length === 0) throw new ApiError(400, "E_INVALID_REQUEST", "The batch is empty");
  const parsed = parseWith(eventsSchema, list, Array.isArray(body) ? "events" : "");
  return parsed.map((e) => {
    const event: RecordEvent = { slug: e.slug };
    if (e.by !== undefined) event.by = e.by;
    if (e.at !== undefined) event.at = e.at;
    if (e.category !== undefined) event.category = e.category;
    if (e.group !== undefined) event.group = e.group;
    return event;
  });
}

/** Query of `GET /metrics/:slug`, unknown keys rejected. */
export function parseHistoryQuery(query: Record<string, string>): HistoryQuery {
  return parseWith(historyQuerySchema, query, "query");
}

/** The value of a `PUT /gauges/:slug` body. */
export function parseGauge(body: unknown): number {
  return parseWith(gaugeSchema, body, "").value;
}

/**
 * Epoch ms from a query value. A query string has no numbers, so digits are
 * read as epoch milliseconds; anything else is read by the library's one time
 * parser (`parseInstant` of `tallyboard`): ISO 8601, where a date or an
 * offset-less time is local to the store's `timezone`.
 */
export function parseQueryInstant(value: string, name: string, timezone: string): number {
  if (/^-?\d+$/.test(value)) {
    const t = Number(value);
    if (!Number.isSafeInteger(t)) {
      throw new MetricsError(
        "E_INVALID_DATE",
        `Invalid ${name} ${describeValue(value)}: epoch milliseconds out of range`,
      );
    }
    return parseInstant(t, timezone, name);
  }
  return parseInstant(value, timezone, name);
}
