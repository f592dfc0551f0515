/**
 * tallyboard as a bench subject: `createMetrics()` over `redisStore()`, each
 * instance on its own connection and key prefix.
 */
import type { Metrics, MetricsOptions } from "../src/core/types.js";
import type { Store } from "../src/stores/types.js";

type CreateMetrics = (options?: MetricsOptions) => Metrics;
type RedisStore = (options: { url: string; prefix: string }) => Store;

interface Library {
  createMetrics: CreateMetrics;
  redisStore: RedisStore;
}

let library: Promise<Library | string> | undefined;

async function load(): Promise<Library | string> {
  try {
    const core = (await import(new URL("../src/core/index.ts", import.meta.url).href)) as {
      createMetrics?: CreateMetrics;
    };
    const redis = (await import(new URL("../src/stores/redis/index.ts", import.meta.url).href)) as {
      redisStore?: RedisStore;
    };
    if (!core.createMetrics || !redis.redisStore) return "createMetrics or redisStore is not exported yet";
    return { createMetrics: core.createMetrics, redisStore: redis.redisStore };
  } catch (error) {
    return `tallyboard could not be loaded: ${(error as Error).message}`;
  }
}

/** Options of {@link openTallyboard}. */
export interface TallyboardSubjectOptions {
  url: string;
  prefix: string;
  /** Capture mode: direct (default) or buffered. */
  buffered?: boolean;
}

/** A tallyboard instance for the bench, or a string saying why there is none. */
export async function openTallyboard(options: TallyboardSubjectOptions): Promise<Metrics | string> {
  library ??= load();
  const lib = await library;
  if (typeof lib === "string") return lib;
  return lib.createMetrics({
    store: lib.redisStore({ url: options.url, prefix: options.prefix }),
    granularities: { min: "hours", max: "years" },
    ...(options.buffered ? { capture: { mode: "buffered", flushMs: 1000 } } : {}),
  });
}
