import type { Bucket, Calendar, Granularity } from "../time/index.js";

/**
 * The contract every backend implements. `createMetrics()` validates all input
 * and computes buckets before calling a store, so a store receives only valid
 * slugs, safe-integer counts and buckets from the attached {@link Calendar}.
 * Every store passes the shared conformance suite in `test/stores/suite.ts`.
 */
export interface Store {
  /** Backend name: `"memory"`, `"redis"`, `"postgres"`. */
  readonly kind: string;
  /**
   * Bind the store to a calendar. Called by `createMetrics()` before the first
   * operation (lazily, once). A store that keeps data persists the calendar's
   * `timezone` and `weekStart` on first attach and rejects a different one
   * later with `E_INVALID_OPTION`, because bucket boundaries would disagree.
   */
  attach(context: StoreContext): Promise<void>;
  /** Add `op.by` to each bucket of `op.granularities` and register the slug. */
  record(op: RecordOp): Promise<void>;
  /**
   * Apply many records atomically-per-batch. With `batchId`, a batch applied
   * twice (a retry after a dropped connection) counts once.
   */
  recordBatch(ops: readonly RecordOp[], options?: BatchOptions): Promise<void>;
  /** Counts for consecutive buckets of one slug and granularity, plus what the slug stores. */
  read(query: ReadQuery): Promise<ReadResult>;
  /**
   * Many reads at once, in one round trip where the backend allows it (one
   * Redis pipeline, one SQL statement): per query, in order, exactly what
   * {@link Store.read} answers for it. Optional: without it, `historyMany()`
   * calls `read()` once per query, concurrently.
   */
  readMany?(queries: readonly ReadQuery[]): Promise<ReadResult[]>;
  /** All-time count of a slug (0 when never recorded). */
  total(slug: string): Promise<number>;
  /** What is known about one slug, or null when it was never recorded. */
  slugInfo(slug: string): Promise<SlugInfo | null>;
  /** Every slug ever recorded, sorted. */
  slugs(): Promise<string[]>;
  /** Every category, sorted. */
  categories(): Promise<string[]>;
  /** Slugs recorded with `category`, sorted. */
  categorySlugs(category: string): Promise<string[]>;
  /** Every group, sorted. */
  groups(): Promise<string[]>;
  /** Slugs recorded with `group`, sorted. */
  groupSlugs(group: string): Promise<string[]>;
  /** Set a gauge to a finite number. */
  setGauge(slug: string, value: number): Promise<void>;
  /** A gauge's value, or null when never set. */
  gauge(slug: string): Promise<number | null>;
  /** Every gauge, sorted by slug. */
  gauges(): Promise<GaugeValue[]>;
  /** Remove a slug's counts, registration, gauge and definition. */
  deleteMetric(slug: string): Promise<void>;
  /** Create or replace a metric definition. */
  putDefinition(definition: MetricDefinition): Promise<void>;
  /** Every definition, sorted by slug. */
  definitions(): Promise<MetricDefinition[]>;
  /** Create or replace a metric set (keyed by `name`). */
  putMetricSet(set: MetricSetRecord): Promise<void>;
  /** Every metric set, sorted by name. */
  metricSets(): Promise<MetricSetRecord[]>;
  /** Remove a metric set; its sent-report markers may stay. */
  deleteMetricSet(name: string): Promise<void>;
  /**
   * Claim the report of one set for one period before sending it, as
   * `claim.owner` (a random token per claim). `"claimed"`: this caller holds
   * the claim and may send; `"sent"`: the report was sent already; `"held"`:
   * another owner holds a live claim. A claim whose lease (the `leaseMs` it
   * was made with) has ended — a sender that died or stalled — is taken over
   * by the next claimer, whose owner replaces it.
   * Atomic: of concurrent claimers exactly one gets `"claimed"`.
   */
  claimReport(claim: ReportClaim): Promise<ReportClaimOutcome>;
  /**
   * Mark a report sent, unless another owner holds a claim on it or it was
   * sent already (then nothing changes). True when this call marked it: the
   * claim was `hold.owner`'s, or no claim was left (the owner's lease ran out
   * and nobody took it over). Once sent, every later claim gets `"sent"`.
   */
  completeReport(hold: ReportHold): Promise<boolean>;
  /**
   * Drop `hold.owner`'s claim after a failed send, so that the next run
   * retries the report. True when a claim was dropped; false (and nothing
   * changes) when the claim is another owner's, or the report is sent or unclaimed.
   */
  releaseReport(hold: ReportHold): Promise<boolean>;
  /** Fold raw items into rollups (stores that keep items); absent elsewhere. */
  aggregate?(options?: AggregateOptions): Promise<AggregateResult>;
  /**
   * Move out every stored bucket older than `options.before`, chunk by chunk,
   * through `sink` (the hot side of `tallyboard/stores/tiered`; Redis has it).
   * A chunk is handed to `sink` with a batch id that stays the same when a
   * crashed run is repeated, and deleted here only after `sink` resolved, so a
   * sink that applies each batch id once makes the move exactly once.
   */
  drainBefore?(options: DrainOptions): Promise<DrainResult>;
  /**
   * Add counts to buckets without touching totals, exactly once per
   * `batchId` (the cold side of `tallyboard/stores/tiered`; Postgres, PGlite
   * and memory have it). Registers each slug with the granularities given.
   */
  importBuckets?(rows: readonly BucketRows[], options: { batchId: string }): Promise<void>;
  /**
   * How long counts of each granularity are kept after their bucket ends, in
   * ms (absent granularities: forever). `createMetrics()` reads expired
   * buckets as 0 whatever the store still holds, so every store answers alike.
   */
  readonly retention?: Readonly<Partial<Record<Granularity, number>>>;
  /**
   * Delete buckets whose retention has passed at `now` (epoch ms). Stores that
   * expire data themselves (Redis TTLs) leave it out.
   */
  prune?(now: number): Promise<PruneResult>;
  /** Release connections and timers. Idempotent. */
  dispose(): Promise<void>;
}

/** What {@link Store.prune} deleted. */
export interface PruneResult {
  /** Buckets deleted. */
  buckets: number;
}

/** Counts of some buckets of one slug and granularity, moved between stores. */
export interface BucketRows {
  slug: string;
  granularity: Granularity;
  /** Buckets with their counts (non-zero), ascending by index. */
  buckets: { index: number; start: number; count: number }[];
}

/** Options of {@link Store.drainBefore}. */
export interface DrainOptions {
  /** Buckets that end at or before this instant (epoch ms) are moved. */
  before: number;
  /** Receives each chunk; must apply a batch id at most once. */
  sink(rows: BucketRows, batchId: string): Promise<void>;
  /** Chunks moved at once. @default 8 */
  concurrency?: number;
  /** Called after every chunk; `total` is the number of chunks found old enough. */
  onProgress?: (progress: { chunks: number; buckets: number; total: number }) => void;
}

/** What {@link Store.drainBefore} moved. */
export interface DrainResult {
  chunks: number;
  buckets: number;
  /** Sum of the counts moved. */
  count: number;
}

/** What a store is given by {@link Store.attach}. */
export interface StoreContext {
  calendar: Calendar;
  logger?: Logger;
}

/** One record, with its buckets already computed. */
export interface RecordOp {
  slug: string;
  /** Amount to add; a safe integer, may be 0 (register only) or negative. */
  by: number;
  /** The instant of the event (epoch ms). */
  at: number;
  /**
   * `calendar.bucketsAt(at)`: one bucket per granularity in `GRANULARITIES`
   * order. The same frozen array is shared by every record in one minute, so a
   * store may cache work per array (e.g. by identity in a WeakMap).
   */
  buckets: readonly Bucket[];
  /** The granularities to increment: a contiguous, non-empty run, finest first. */
  granularities: readonly Granularity[];
  category?: string;
  group?: string;
}

/** Options of {@link Store.recordBatch}. */
export interface BatchOptions {
  /** Unique id of the batch; a batch with an id already applied is skipped. */
  batchId?: string;
}

/** A read of consecutive buckets. */
export interface ReadQuery {
  slug: string;
  granularity: Granularity;
  /** Ascending buckets as produced by `calendar.range()`; never empty. */
  buckets: readonly Bucket[];
}

/** The answer to a {@link ReadQuery}. */
export interface ReadResult {
  /** One count per query bucket, in order (0 where nothing was recorded). */
  counts: number[];
  /** The granularities the slug stores, finest first; null when the slug is unknown. */
  stored: Granularity[] | null;
}

/** Registration data of a slug. */
export interface SlugInfo {
  slug: string;
  /** Stored granularities (union of every record's range), finest first. */
  granularities: Granularity[];
  categories: string[];
  groups: string[];
}

/** A gauge reading. */
export interface GaugeValue {
  slug: string;
  value: number;
}

/** A named metric (django-app-metrics `create_metric`). */
export interface MetricDefinition {
  slug: string;
  name: string;
  description?: string;
  unit?: string;
}

/** A metric set as stored (django-app-metrics `MetricSet`); validated by the reports module. */
export interface MetricSetRecord {
  /** Free-text name, 1–200 characters; the key. */
  name: string;
  /** Slugs reported, in order. */
  metrics: string[];
  /** E-mail addresses. */
  recipients: string[];
  /** `"daily"`, `"weekly"`, `"monthly"` or a 5/6-field cron expression. */
  schedule: string;
  /** Optional alert bounds per slug: a row is an alert when the period's count is above/below. */
  thresholds?: Record<string, { above?: number; below?: number }>;
  /** When the set was created (epoch ms): no report is sent for periods that ended before it. */
  createdAt: number;
}

/** Which report: one set, one period (e.g. `"2024-05-01"`, or the ISO start of a cron period). */
export interface ReportKey {
  set: string;
  period: string;
}

/** A claim of {@link Store.claimReport}. */
export interface ReportClaim extends ReportHold {
  /** Current time (epoch ms), for stores that judge claim age themselves. */
  now: number;
  /** How long this claim protects the report (ms); then another claimer may take it over. */
  leaseMs: number;
}

/** A claimed report and who claimed it, for {@link Store.completeReport} / {@link Store.releaseReport}. */
export interface ReportHold extends ReportKey {
  /** Token of the claimer, random per claim (e.g. `crypto.randomUUID()`), 1–100 characters. */
  owner: string;
}

/** What {@link Store.claimReport} found: the caller now holds it, it was sent, or another owner holds it. */
export type ReportClaimOutcome = "claimed" | "sent" | "held";

/** Options of {@link Store.aggregate}. */
export interface AggregateOptions {
  /** Items folded per transaction. */
  batchSize?: number;
  /** Called after every batch. */
  onProgress?: (progress: { done: number; total: number }) => void;
  /** Stop early when aborted (the current batch still commits or rolls back whole). */
  signal?: AbortSignal;
}

/** What an aggregate run did. */
export interface AggregateResult {
  /** Raw items folded into rollups by this run. */
  items: number;
  /** Rollup rows written (inserted or updated). */
  buckets: number;
  batches: number;
  /**
   * Slugs whose items were left pending because folding them would take a
   * bucket or total past ±`Number.MAX_SAFE_INTEGER` (absent when none).
   */
  overflowed?: string[];
}

/** Minimal logger; `console` fits. */
export interface Logger {
  debug?(message: string, ...args: unknown[]): void;
  info?(message: string, ...args: unknown[]): void;
  warn(message: string, ...args: unknown[]): void;
  error(message: string, ...args: unknown[]): void;
}
