/**
 * tallyboard as a bench subject: `createMetrics()` over `redisStore()` with
 * granularities hours..years, each instance on its own connection and prefix.
 */
import { createMetrics, type Metrics } from "../src/core/index.js";
import { redisStore } from "../src/stores/redis/index.js";
import type { Granularity } from "../src/time/index.js";

/** Options of {@link openTallyboard}. */
export interface TallyboardSubjectOptions {
  url: string;
  prefix: string;
  /** Buffered capture (flushed every second and by `flush()`) instead of direct. */
  buffered?: boolean;
  /** IANA zone of the buckets. @default "UTC" */
  timezone?: string;
  /** Retention by granularity, as `redisStore({ retention })` takes it. */
  retention?: Partial<Record<Granularity, string>>;
}

/** A tallyboard instance for the bench. */
export function openTallyboard(options: TallyboardSubjectOptions): Metrics {
  return createMetrics({
    store: redisStore({
      url: options.url,
      prefix: options.prefix,
      ...(options.retention ? { retention: options.retention } : {}),
    }),
    granularities: { min: "hours", max: "years" },
    ...(options.timezone ? { timezone: options.timezone } : {}),
    ...(options.buffered ? { capture: { mode: "buffered", flushMs: 1000 } } : {}),
  });
}
