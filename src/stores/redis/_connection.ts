import { MetricsError } from "../../errors.js";
import type { RedisClient } from "./_client.js";
import type { ResolvedOptions } from "./_options.js";

/** The store's lazily opened client. */
export interface Connection {
  /** The client when already open (the hot path checks this first), else undefined. */
  readonly current: () => RedisClient | undefined;
  /** Open the client once (memoised); rejects with `E_DISPOSED` after dispose(). */
  open(): Promise<RedisClient>;
  /** Close a client the store created; a given client is left open. Idempotent. */
  dispose(): Promise<void>;
}

/** Lazy, memoised connection: ioredis is imported on first use unless a client is given. */
export function createConnection(options: ResolvedOptions): Connection {
  let client: RedisClient | undefined;
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
        "redisStore() needs the ioredis package (version 6): run `npm i ioredis`",
        { cause: error },
      );
    }
    return new Redis(options.url, options.redisOptions);
  };

  return {
    current: () => client,
    open() {
      if (disposed) return Promise.reject(new MetricsError("E_DISPOSED", "This Redis store was disposed"));
      opening ??= create().then(
        (c) => {
          if (disposed) {
            if (owned) void c.quit().catch(() => {});
            throw new MetricsError("E_DISPOSED", "This Redis store was disposed");
          }
          client = c;
          return c;
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
        if (c && owned) {
          try {
            await c.quit();
          } catch {
            (c as unknown as { disconnect?: () => void }).disconnect?.();
          }
        }
      })();
      return disposed;
    },
  };
}
