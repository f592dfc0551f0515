import { describeValue, MetricsError } from "../../errors.js";
import type { RecordOp } from "../../stores/types.js";
import {
  type Calendar,
  GRANULARITIES,
  type Granularity,
  granularityRange,
  type WeekStart,
} from "../../time/index.js";

/**
 * A Redis URL (`redis://…`, `rediss://…`) or ioredis/BullMQ connection
 * options (`{ host, port, password, tls, … }`).
 */
export type QueueConnection = string | { [option: string]: unknown };

/** Name of the BullMQ queue when none is given. */
export const DEFAULT_QUEUE = "tallyboard";

/** Job name of a batch. */
export const JOB_NAME = "batch";

/** One summed record inside a job: buckets are recomputed by the worker from `at`. */
export interface JobRecord {
  slug: string;
  by: number;
  at: number;
  /** Finest and coarsest granularity of the run. */
  min: Granularity;
  max: Granularity;
  category?: string;
  group?: string;
}

/** The data of one job: one batch of one producer. */
export interface JobData {
  v: 1;
  timezone: string;
  weekStart: WeekStart;
  records: JobRecord[];
}

/** Job data of a batch. */
export function toJobData(calendar: Calendar, ops: readonly RecordOp[]): JobData {
  return {
    v: 1,
    timezone: calendar.timezone,
    weekStart: calendar.weekStart,
    records: ops.map((op) => {
      const r: JobRecord = {
        slug: op.slug,
        by: op.by,
        at: op.at,
        min: op.granularities[0] as Granularity,
        max: op.granularities[op.granularities.length - 1] as Granularity,
      };
      if (op.category !== undefined) r.category = op.category;
      if (op.group !== undefined) r.group = op.group;
      return r;
    }),
  };
}

const isName = (v: unknown): v is string => typeof v === "string" && v.length > 0 && v.length <= 200;
const isGranularityName = (v: unknown): v is Granularity =>
  typeof v === "string" && (GRANULARITIES as readonly string[]).includes(v);

function bad(what: string, value: unknown): MetricsError {
  return new MetricsError("E_INVALID_OPTION", `Malformed tallyboard job: ${what} ${describeValue(value)}`);
}

/** Check job data read back from Redis; `E_INVALID_OPTION` names the first bad field. */
export function checkJobData(data: unknown): JobData {
  const d = data as Partial<JobData> | null;
  if (d === null || typeof d !== "object" || d.v !== 1) throw bad("version", d?.v);
  if (typeof d.timezone !== "string") throw bad("timezone", d.timezone);
  if (d.weekStart !== "monday" && d.weekStart !== "sunday") throw bad("weekStart", d.weekStart);
  if (!Array.isArray(d.records)) throw bad("records", d.records);
  for (const r of d.records as unknown[]) {
    const x = r as Partial<JobRecord> | null;
    if (x === null || typeof x !== "object") throw bad("record", x);
    if (!isName(x.slug)) throw bad("slug", x.slug);
    if (!Number.isSafeInteger(x.by)) throw bad("count", x.by);
    if (!Number.isFinite(x.at)) throw bad("time", x.at);
    if (!isGranularityName(x.min) || !isGranularityName(x.max)) throw bad("granularities", [x.min, x.max]);
    if (x.category !== undefined && !isName(x.category)) throw bad("category", x.category);
    if (x.group !== undefined && !isName(x.group)) throw bad("group", x.group);
  }
  return d as JobData;
}

/** Store operations of a job, with buckets from `calendar` (the job's zone and week start). */
export function toOps(calendar: Calendar, data: JobData): RecordOp[] {
  const runs = new Map<string, readonly Granularity[]>();
  return data.records.map((r) => {
    const runKey = `${r.min}|${r.max}`;
    let run = runs.get(runKey);
    if (!run) {
      run = Object.freeze(granularityRange(r.min, r.max));
      runs.set(runKey, run);
    }
    const op: RecordOp = {
      slug: r.slug,
      by: r.by,
      at: r.at,
      buckets: calendar.bucketsAt(r.at),
      granularities: run,
    };
    if (r.category !== undefined) op.category = r.category;
    if (r.group !== undefined) op.group = r.group;
    return op;
  });
}
