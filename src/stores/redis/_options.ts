import type { RedisOptions } from "ioredis";
import { describeValue, MetricsError, redactUrl } from "../../errors.js";
import { type Granularity, parseDuration } from "../../time/index.js";
import { parseRetention, type Retention } from "../_retention.js";
import type { Logger } from "../types.js";
import type { RedisClient } from "./_client.js";
import type { Replication } from "./_durability.js";

/** Options of {@link redisStore}. */
export interface RedisStoreOptions {
  /**
   * Connection URL (`redis://[user:pass@]host:port/db` or `rediss://…`). The
   * store connects on first use and closes the connection in `dispose()`.
   * Give either `url` or `client`.
   * @default "redis://127.0.0.1:6379"
   */
  url?: string;
  /**
   * An ioredis 5 or 6 `Redis` or `Cluster` you own. The store never closes it.
   * Use this for Redis Cluster, Sentinel or TLS set-ups.
   * @default undefined (a client is created from `url`)
   */
  client?: RedisClient;
  /**
   * Options for the client created from `url` (ignored with `client`).
   * @default { maxRetriesPerRequest: 1, connectTimeout: commandTimeoutMs, retryStrategy: 50 ms × attempt, at most 2 s }
   */
  redisOptions?: Omit<RedisOptions, "replyMapping">;
  /**
   * Namespace of every key: letters, digits and `_.:-`, at most 64 characters.
   * @default "tb"
   */
  prefix?: string;
  /**
   * How long counts of each granularity are kept after their bucket ends, as a
   * duration (`"2d"`, `"90d"`, `"5y"`) or milliseconds. Granularities left out
   * are kept forever. A chunk of 120 buckets expires `retention` after its last
   * bucket ends (a little later, never earlier); the all-time total is kept.
   * @default {} (keep everything)
   * @example { minutes: "2d", hours: "90d" }
   */
  retention?: Partial<Record<Granularity, string | number>>;
  /**
   * How long a batch id is remembered, so that a retried batch counts once,
   * and how long Redis keeps the write sequence of a store instance that went
   * silent (the identity that makes direct records exactly-once).
   * @default "1h"
   */
  batchTtl?: string | number;
  /**
   * Bound of every store call, in milliseconds: a call that Redis has not
   * answered by then (down, unreachable, behind a proxy that drops
   * connections) rejects with `E_STORE`. Writes are retried within it after a
   * lost connection; see docs/stores/redis.md for what a rejected write means.
   * @default 10000
   */
  commandTimeoutMs?: number;
  /**
   * When a write counts as done. `"async"`: once the master applied it (Redis
   * replicates asynchronously, so a failover can lose the last writes).
   * `"replicated"`: each write script is followed by `WAIT 1 1000` on the same
   * connection, and the call rejects with `E_STORE` unless a replica
   * acknowledged it; an object sets the replicas to wait for and the WAIT
   * timeout (below `commandTimeoutMs`). See docs/stores/redis.md, "Durability".
   * @default "async"
   * @example { replicas: 1, timeoutMs: 500 }
   */
  durability?: "async" | "replicated" | { replicas?: number; timeoutMs?: number };
  /**
   * Where the store reports problems it recovers from (e.g. re-registering a
   * slug another process deleted). `createMetrics({ logger })` also sets it.
   * @default undefined (silent)
   */
  logger?: Logger;
}

/** Validated options. */
export interface ResolvedOptions {
  url: string;
  client: RedisClient | undefined;
  redisOptions: Omit<RedisOptions, "replyMapping">;
  prefix: string;
  /** Retention in ms by granularity (absent = keep). */
  retention: Retention;
  batchTtlMs: number;
  commandTimeoutMs: number;
  /** Replicas each write waits for, or undefined for "async". */
  replication: Replication | undefined;
  logger: Logger | undefined;
}

const PREFIX = /^[A-Za-z0-9_.:-]{1,64}$/;
const KNOWN = new Set([
  "url",
  "client",
  "redisOptions",
  "prefix",
  "retention",
  "batchTtl",
  "commandTimeoutMs",
  "durability",
  "logger",
]);

const bad = (message: string): MetricsError => new MetricsError("E_INVALID_OPTION", message);

/** Validate {@link RedisStoreOptions}; throws `E_INVALID_OPTION` naming the bad value. */
export function resolveOptions(options: RedisStoreOptions): ResolvedOptions {
  if (options === null || typeof options !== "object") {
    throw bad(`redisStore() needs an options object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw bad(`Unknown redisStore() option ${describeValue(key)}`);
  }
  const { url, client } = options;
  if (url !== undefined && client !== undefined)
    throw bad("Give redisStore() either url or client, not both");
  if (url !== undefined && (typeof url !== "string" || !/^rediss?:\/\/./.test(url))) {
    throw bad(
      `Redis url must start with redis:// or rediss://, got ${typeof url === "string" ? JSON.stringify(redactUrl(url)) : describeValue(url)}`,
    );
  }
  if (
    client !== undefined &&
    (client === null || typeof client !== "object" || typeof client.evalsha !== "function")
  ) {
    throw bad(`Redis client must be an ioredis Redis or Cluster, got ${describeValue(client)}`);
  }
  const prefix = options.prefix ?? "tb";
  if (typeof prefix !== "string" || !PREFIX.test(prefix)) {
    throw bad(`Redis key prefix must match ${PREFIX.source}, got ${describeValue(prefix)}`);
  }
  const retention = parseRetention(options.retention, "redisStore()");
  const redisOptions = options.redisOptions ?? {};
  if (redisOptions === null || typeof redisOptions !== "object") {
    throw bad(`redisOptions must be an object, got ${describeValue(redisOptions)}`);
  }
  const commandTimeoutMs = options.commandTimeoutMs ?? 10_000;
  if (
    typeof commandTimeoutMs !== "number" ||
    !Number.isInteger(commandTimeoutMs) ||
    commandTimeoutMs < 1 ||
    commandTimeoutMs > 3_600_000
  ) {
    throw bad(
      `commandTimeoutMs must be an integer from 1 to 3600000 (ms), got ${describeValue(commandTimeoutMs)}`,
    );
  }
  const batchTtlMs = parseDuration(options.batchTtl ?? "1h");
  if (batchTtlMs < 4 * commandTimeoutMs) {
    throw bad(
      `batchTtl must be at least 4 × commandTimeoutMs (${4 * commandTimeoutMs} ms), got ${describeValue(options.batchTtl)}`,
    );
  }
  const replication = replicationOf(options.durability, commandTimeoutMs);
  const logger = options.logger;
  if (logger !== undefined && (typeof logger !== "object" || typeof logger?.warn !== "function")) {
    throw bad(`logger must have warn() and error(), got ${describeValue(logger)}`);
  }
  return {
    url: url ?? "redis://127.0.0.1:6379",
    client,
    redisOptions: {
      maxRetriesPerRequest: 1,
      connectTimeout: commandTimeoutMs,
      retryStrategy: (attempt: number) => Math.min(attempt * 50, 2000),
      ...redisOptions,
    },
    prefix,
    retention,
    batchTtlMs,
    commandTimeoutMs,
    replication,
    logger,
  };
}

const DURABILITY_KEYS = new Set(["replicas", "timeoutMs"]);

/** `durability` as replicas and WAIT timeout, or undefined for "async". */
function replicationOf(
  durability: RedisStoreOptions["durability"],
  commandTimeoutMs: number,
): Replication | undefined {
  if (durability === undefined || durability === "async") return undefined;
  const defaults = { replicas: 1, timeoutMs: Math.min(1000, commandTimeoutMs - 1) };
  if (durability === "replicated") {
    if (defaults.timeoutMs < 1) throw bad('durability "replicated" needs commandTimeoutMs of at least 2');
    return defaults;
  }
  if (durability === null || typeof durability !== "object" || Array.isArray(durability)) {
    throw bad(
      `durability must be "async", "replicated" or { replicas, timeoutMs }, got ${describeValue(durability)}`,
    );
  }
  for (const key of Object.keys(durability)) {
    if (!DURABILITY_KEYS.has(key)) throw bad(`Unknown durability option ${describeValue(key)}`);
  }
  const replicas = durability.replicas ?? defaults.replicas;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 1 || replicas > 100) {
    throw bad(`durability.replicas must be an integer from 1 to 100, got ${describeValue(replicas)}`);
  }
  const timeoutMs = durability.timeoutMs ?? defaults.timeoutMs;
  if (
    typeof timeoutMs !== "number" ||
    !Number.isInteger(timeoutMs) ||
    timeoutMs < 1 ||
    timeoutMs >= commandTimeoutMs
  ) {
    throw bad(
      `durability.timeoutMs must be an integer from 1 to commandTimeoutMs − 1 (${commandTimeoutMs - 1}) ms, got ${describeValue(timeoutMs)}`,
    );
  }
  return { replicas, timeoutMs };
}
