import { describeValue, MetricsError } from "../../errors.js";
import { createCalendar, parseDuration, type WeekStart } from "../../time/index.js";
import type { DrainResult, Store } from "../types.js";

/** Options of {@link archive}. */
export interface ArchiveOptions {
  /** The store to move old buckets out of (one that has `drainBefore`: `redisStore()`). */
  from: Store;
  /** The store to move them into (one that has `importBuckets`: `postgresStore()`, `memoryStore()`). */
  to: Store;
  /** Buckets that ended longer ago than this are moved: a duration (`"90d"`) or milliseconds. */
  olderThan: string | number;
  /** Current time in epoch ms (tests, replays). @default Date.now() */
  now?: number;
  /** Time zone both stores keep their buckets in (checked against what they stored). @default "UTC" */
  timezone?: string;
  /** Week start both stores keep. @default "monday" */
  weekStart?: WeekStart;
  /** Chunks (≤ 120 buckets each) moved at once. @default 8 */
  concurrency?: number;
  /** Called after every chunk; `total` is the number of chunks found old enough. */
  onProgress?: (progress: { chunks: number; buckets: number; total: number }) => void;
}

/** What {@link archive} moved. */
export interface ArchiveResult extends DrainResult {
  /** Buckets that ended at or before this instant (epoch ms) were moved. */
  before: number;
}

const KEYS = ["from", "to", "olderThan", "now", "timezone", "weekStart", "concurrency", "onProgress"];

/**
 * Move counts older than `olderThan` from a hot store (Redis) into a cold one
 * (Postgres or PGlite), then delete them from the hot one. Idempotent and
 * crash-safe: every chunk of ≤ 120 buckets is first renamed aside with a token,
 * then added to the cold store under that token as a batch id (applied once),
 * then deleted; a run killed at any point and run again ends with exact
 * totals. Rerun a crashed archive within 7 days (how long the Postgres store
 * remembers batch ids). All-time totals stay in the hot store; read both tiers
 * with {@link tieredStore}. The stores are attached here and not disposed.
 *
 * @example
 * await archive({ from: redisStore({ url }), to: postgresStore({ url: pgUrl }), olderThan: "90d" });
 */
export async function archive(options: ArchiveOptions): Promise<ArchiveResult> {
  if (options === null || typeof options !== "object") {
    throw new MetricsError("E_INVALID_OPTION", `archive() needs options, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!KEYS.includes(key)) {
      throw new MetricsError(
        "E_INVALID_OPTION",
        `Unknown archive() option ${describeValue(key)}; use ${KEYS.join(", ")}`,
      );
    }
  }
  const { from, to } = options;
  if (typeof from?.drainBefore !== "function") {
    throw new MetricsError(
      "E_UNSUPPORTED",
      `archive() cannot move buckets out of a ${describeValue(from?.kind)} store; use a Redis store as from`,
    );
  }
  if (typeof to?.importBuckets !== "function") {
    throw new MetricsError(
      "E_UNSUPPORTED",
      `archive() cannot move buckets into a ${describeValue(to?.kind)} store; use a Postgres, PGlite or memory store as to`,
    );
  }
  const olderThan = parseDuration(options.olderThan);
  const now = options.now ?? Date.now();
  if (!Number.isFinite(now))
    throw new MetricsError("E_INVALID_OPTION", `now must be epoch milliseconds, got ${describeValue(now)}`);
  const concurrency = options.concurrency ?? 8;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1 || concurrency > 256) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `concurrency must be an integer 1-256, got ${describeValue(concurrency)}`,
    );
  }
  const calendar = createCalendar({
    ...(options.timezone !== undefined && { timezone: options.timezone }),
    ...(options.weekStart !== undefined && { weekStart: options.weekStart }),
  });
  await from.attach({ calendar });
  await to.attach({ calendar });
  const importBuckets = to.importBuckets.bind(to);
  const before = now - olderThan;
  const result = await from.drainBefore({
    before,
    concurrency,
    sink: (rows, batchId) => importBuckets([rows], { batchId }),
    ...(options.onProgress && { onProgress: options.onProgress }),
  });
  return { ...result, before };
}
