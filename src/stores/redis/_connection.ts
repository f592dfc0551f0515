import { MetricsError, redactSecrets } from "../../errors.js";
import type { Logger } from "../types.js";
import type { RedisClient } from "./_client.js";
import { replicatedClient } from "./_durability.js";
import type { ResolvedOptions } from "./_options.js";

/** The store's lazily opened client. */
export interface Connection {
  /** The client when already open (the hot path checks this first), else undefined. */
  readonly current: () => RedisClient | undefined;
  /** Open the client once (memoised); rejects with `E_DISPOSED` after dispose(). */
  open(): Promise<RedisClient>;
  /**
   * Close a client the store created (QUIT, or a hard disconnect when QUIT is
   * not answered within `commandTimeoutMs`); a given client is left open.
   * Idempotent; never hangs.
   */
  dispose(): Promise<void>;
}

/**
 * Lazy, memoised connection: ioredis is imported on first use unless a client
 * is given. Errors of a created client (e.g. refused reconnects) go to the
 * logger once per outage instead of ioredis' console fallback.
 */
export function createConnection(options: ResolvedOptions, logger: () => Logger | undefined): Connection {
  let client: RedisClient | undefined;
  /** What the store uses: the client, or with durability "replicated" a wrapper that WAITs after writes. */
  let exposed: RedisClient | undefined;
  let opening: Promise<RedisClient> | undefined;
  let disposed: Promise<void> | undefined;
  const owned = options.client === undefined;

  const create = async (): Promise<RedisClient> => {
    if (options.client) return options.client;
    let Redis: typeof import("ioredis").Redis;
    try {
      ({ Redis } = await import("ioredis"));
    } catch (error) {
      throw new MetricsError(
        "E_MISSING_DEPENDENCY",
        "redisStore() needs the ioredis package (version 5 or 6): run `npm i ioredis`",
        { cause: error },
      );
    }
    const created = new Redis(options.url, options.redisOptions);
    let reported = false;
    created.on("ready", () => {
      reported = false;
    });
    created.on("error", (error: Error) => {
      if (reported) return;
      reported = true;
      logger()?.warn(`tallyboard: Redis connection error: ${redactSecrets(error.message)}`);
    });
    return created;
  };

  return {
    current: () => exposed,
    open() {
      if (disposed) return Promise.reject(new MetricsError("E_DISPOSED", "This Redis store was disposed"));
      opening ??= create().then(
        (c) => {
          if (disposed) {
            if (owned) void c.quit().catch(() => {});
            throw new MetricsError("E_DISPOSED", "This Redis store was disposed");
          }
          client = c;
          exposed = options.replication ? replicatedClient(c, options.replication) : c;
          return exposed;
        },
        (error: unknown) => {
          opening = undefined;
          throw error;
        },
      );
      return opening;
    },
    dispose() {
      disposed ??= (async () => {
        const c = client;
        client = undefined;
        exposed = undefined;
        if (c && owned) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          try {
            await Promise.race([
              c.quit(),
              new Promise((_, reject) => {
                timer = setTimeout(() => reject(new Error("QUIT timed out")), options.commandTimeoutMs);
              }),
            ]);
          } catch {
            (c as unknown as { disconnect?: () => void }).disconnect?.();
          } finally {
            clearTimeout(timer);
          }
        }
      })();
      return disposed;
    },
  };
}
