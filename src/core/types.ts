import type { CaptureStats, DisposeOptions, QueueConnection } from "../capture/index.js";
import type {
  AggregateOptions,
  AggregateResult,
  GaugeValue,
  Logger,
  MetricDefinition,
  PruneResult,
  SlugInfo,
  Store,
} from "../stores/types.js";
import type { Calendar, Granularity, WeekStart } from "../time/index.js";

/** The lower-case names and aliases of each {@link Granularity}. */
type GranularityWord =
  | Granularity
  | "minute"
  | "minutely"
  | "min"
  | "mins"
  | "m"
  | "hour"
  | "hourly"
  | "h"
  | "day"
  | "daily"
  | "d"
  | "week"
  | "weekly"
  | "w"
  | "month"
  | "monthly"
  | "year"
  | "yearly"
  | "annual"
  | "annually"
  | "y";

/**
 * A granularity name or alias (`"hours"`, `"hour"`, `"hourly"`, `"h"`), lower
 * case, Capitalized or UPPER CASE. A misspelt name such as `"dayz"` does not
 * compile; a string from outside (a query parameter) is checked at run time.
 */
export type GranularityName = GranularityWord | Capitalize<GranularityWord> | Uppercase<GranularityWord>;

/**
 * A time: a `Date`, epoch milliseconds (a number), or an ISO 8601 string; a
 * date or an offset-less date-time is local to the instance's timezone. See
 * `parseInstant()` and docs/time.md.
 */
export type TimeInput = Date | number | string;

/** Range of granularities a record increments. */
export interface GranularityRangeOptions {
  /** Finest granularity. @default "hours" */
  min?: GranularityName;
  /** Coarsest granularity. @default "years" */
  max?: GranularityName;
}

/** How records reach the store. */
export type CaptureOptions =
  | "direct"
  | {
      mode: "direct";
    }
  | ({ mode: "buffered" } & BatchingOptions)
  | ({
      mode: "queue";
      /** Redis of the BullMQ queue: a URL or ioredis/BullMQ connection options. */
      connection: QueueConnection;
      /** BullMQ queue name; the worker must use the same. @default "tallyboard" */
      queueName?: string;
      /** BullMQ key prefix. @default "bull" */
      prefix?: string;
      /** Attempts a worker makes at writing a batch before it moves to the failed set. @default 100 */
      attempts?: number;
    } & BatchingOptions);

/** Options shared by buffered and queue capture (see docs/capture.md). */
export interface BatchingOptions {
  /** Flush interval in ms; bounds what a process crash can lose. @default 1000 */
  flushMs?: number;
  /** Pending (unwritten) slug×minute sums before `record()` rejects with `E_BACKPRESSURE`. @default 100000 */
  maxPending?: number;
  /** Bound of one batch write/enqueue; past it `flush()` rejects with `E_STORE`, keeping the batch. @default 10000 */
  writeTimeoutMs?: number;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Where counts live. @default memoryStore() */
  store?: Store;
  /** IANA zone in which bucket boundaries are local. @default "UTC" */
  timezone?: string;
  /** First day of week buckets. @default "monday" */
  weekStart?: WeekStart;
  /** Default granularity range of `record()`. @default { min: "hours", max: "years" } */
  granularities?: GranularityRangeOptions;
  /** Largest number of rows one history query may return. @default 100000 */
  maxPoints?: number;
  /**
   * Most distinct slugs the store may hold: recording a slug this instance has
   * not seen when the store holds `maxSlugs` already fails with
   * `E_TOO_MANY_SLUGS` (a batch that would pass it fails whole). Checked per
   * instance, from a cached slug list: processes sharing a store can together
   * overshoot by the new slugs they have in flight. Gauges (`setGauge`) and
   * definitions (`createMetric`) are capped at the same number, each on its
   * own; setting a known gauge or redefining a slug is always allowed.
   * `Infinity` turns the caps off.
   * @default 10000
   */
  maxSlugs?: number;
  /** How records reach the store. @default "direct" */
  capture?: CaptureOptions;
  /** Clock, for tests and backfills. @default () => Date.now() */
  now?: () => number;
  /** Where warnings go; library code never prints. @default undefined (silent) */
  logger?: Logger;
}

/** Options of {@link Metrics.record}. */
export interface RecordOptions {
  /** Amount to add (negative decrements, 0 only registers). @default 1 */
  by?: number;
  /** When it happened. @default now */
  at?: TimeInput;
  /** Category the slug is listed under. */
  category?: string;
  /** Group the slug is listed under. */
  group?: string;
  /** Granularities to increment. @default the instance's `granularities` */
  granularities?: GranularityRangeOptions;
}

/** One event of {@link Metrics.recordMany}. */
export interface RecordEvent extends RecordOptions {
  slug: string;
}

/** Options of {@link Metrics.history}. */
export interface HistoryOptions {
  from: TimeInput;
  /** @default now */
  to?: TimeInput;
  granularity: GranularityName;
}

/** One bucket of a history. */
export interface HistoryRow {
  /** Start of the bucket (UTC instant; local boundary in the configured zone). */
  start: Date;
  count: number;
}

/** The seed's `record_metrics` arguments. */
export interface RecordMetricsOptions {
  slug: string;
  when?: TimeInput;
  /** @default 1 (the seed's 0 would record nothing; 0 still registers) */
  count?: number;
  group?: string;
  category?: string;
  minGranularity?: GranularityName;
  maxGranularity?: GranularityName;
  /** Appended to the slug with ":" (`page_views:en:mobile`). */
  args?: ReadonlyArray<string | number>;
}

/** The seed's `get_metrics` arguments. */
export interface GetMetricsOptions {
  slug: string;
  dtStart: TimeInput;
  /** @default now */
  dtEnd?: TimeInput;
  granularity: GranularityName;
}

/** The public metrics API returned by {@link createMetrics}. Methods are closures. */
export interface Metrics {
  /** The store in use. */
  readonly store: Store;
  /** The calendar (zone, week start) buckets are computed in. */
  readonly calendar: Calendar;
  record(slug: string, options?: RecordOptions): Promise<void>;
  /**
   * Record many events in one store call. Every event is validated first; when
   * one is invalid nothing is written. Used by the HTTP `POST /events` route.
   */
  recordMany(events: readonly RecordEvent[]): Promise<void>;
  history(slug: string, options: HistoryOptions): Promise<HistoryRow[]>;
  /**
   * `history()` of several slugs over the same range, keyed by slug, with the
   * same answers. Read in one batch (`Store.readMany()`: one Redis pipeline, one
   * per master on Cluster, one SQL statement), plus one more batch for the
   * slugs answered from a finer stored granularity.
   */
  historyMany(slugs: readonly string[], options: HistoryOptions): Promise<Record<string, HistoryRow[]>>;
  total(slug: string): Promise<number>;
  /**
   * Delete buckets older than the store's `retention` (Postgres/PGlite and
   * memory; Redis expires them itself). Expired buckets read as 0 before
   * and after. `tallyboard start` runs it hourly, `tallyboard aggregate` after folding.
   */
  prune(): Promise<PruneResult>;
  /**
   * Start of the oldest bucket of `granularity` the store keeps now (its
   * `retention`), or null when that granularity is kept forever. Throws
   * `E_INVALID_GRANULARITY` for an unknown name.
   */
  keptFrom(granularity: Granularity | string): Date | null;
  slugs(): Promise<string[]>;
  categories(): Promise<string[]>;
  categorySlugs(category: string): Promise<string[]>;
  groups(): Promise<string[]>;
  groupSlugs(group: string): Promise<string[]>;
  slugInfo(slug: string): Promise<SlugInfo | null>;
  setGauge(slug: string, value: number): Promise<void>;
  gauge(slug: string): Promise<number | null>;
  gauges(): Promise<GaugeValue[]>;
  deleteMetric(slug: string): Promise<void>;
  /** django-app-metrics: define a named metric. */
  createMetric(definition: MetricDefinition): Promise<MetricDefinition>;
  /** django-app-metrics: `metric(slug, num)` = record by `num` now. */
  metric(slug: string, num?: number): Promise<void>;
  definitions(): Promise<MetricDefinition[]>;
  /** Fold raw items into rollups (Postgres `items` mode); `E_UNSUPPORTED` elsewhere. */
  aggregate(options?: AggregateOptions): Promise<AggregateResult>;
  /** Write everything buffered so far (no-op for direct capture). */
  flush(): Promise<void>;
  /** Seed-compatible `record_metrics`. */
  recordMetrics(options: RecordMetricsOptions): Promise<void>;
  /** Seed-compatible `get_metrics`. */
  getMetrics(options: GetMetricsOptions): Promise<HistoryRow[]>;
  getCategorySlugs(category: string): Promise<string[]>;
  getCategories(): Promise<string[]>;
  /**
   * Refuse new records, flush, then release the store. Idempotent, and
   * retryable: when the store fails the buffer is kept and `dispose()` /
   * `flush()` may be called again until they resolve. `{ discard: true }`
   * drops what is not written yet (the only way accepted records are lost).
   */
  dispose(options?: DisposeOptions): Promise<void>;
  /** What buffered/queue capture holds unwritten, and the queue depth in queue mode. */
  captureStats(): Promise<CaptureStats>;
}
