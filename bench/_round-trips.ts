/**
 * Clients that count their network round trips, for the bench and the tests
 * that prove a read is one round trip. They wrap a real client and pass every
 * call through; only the counting is added.
 *
 * A round trip is one request the caller then waits for: a single command
 * (`call`, `evalsha`, …) or one pipeline `exec()` on Redis; one `query()` or
 * `exec()` on Postgres / PGlite.
 */
import type { Redis } from "ioredis";

/** Round trips counted so far; `reset()` starts again from zero. */
export interface RoundTrips {
  /** Single commands (Redis) or statements (Postgres) sent. */
  single: number;
  /** Pipelines executed (Redis only). */
  pipelines: number;
  /** Commands sent inside those pipelines (Redis only). */
  pipelined: number;
  /** single + pipelines. */
  readonly total: number;
  reset(): void;
}

function counter(): RoundTrips {
  return {
    single: 0,
    pipelines: 0,
    pipelined: 0,
    get total() {
      return this.single + this.pipelines;
    },
    reset() {
      this.single = 0;
      this.pipelines = 0;
      this.pipelined = 0;
    },
  };
}

const REDIS_SINGLE = new Set(["call", "callBuffer", "evalsha", "eval", "evalshaBuffer", "evalBuffer"]);

/** An ioredis client (or Cluster) whose single commands and pipeline execs are counted. */
export function countRedis<T extends Pick<Redis, "pipeline">>(client: T): { client: T; trips: RoundTrips } {
  const trips = counter();
  const proxy = new Proxy(client, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value !== "function") return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (key === "pipeline") {
        return (commands?: unknown[][]) => {
          const pipeline = fn.call(target, commands) as { exec(): Promise<unknown>; length: number };
          return {
            exec: () => {
              trips.pipelines++;
              trips.pipelined += pipeline.length;
              return pipeline.exec();
            },
          };
        };
      }
      if (typeof key === "string" && REDIS_SINGLE.has(key)) {
        return (...args: unknown[]) => {
          trips.single++;
          return fn.apply(target, args);
        };
      }
      return fn.bind(target);
    },
  });
  return { client: proxy, trips };
}

/** A Postgres client (`pg.Pool`, `pg.Client`, `PGlite`) whose statements are counted. */
export function countPostgres<T extends object>(client: T): { client: T; trips: RoundTrips } {
  const trips = counter();
  const proxy = new Proxy(client, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value !== "function") return value;
      const fn = value as (...args: unknown[]) => unknown;
      if (key === "query" || key === "exec") {
        return (...args: unknown[]) => {
          trips.single++;
          return fn.apply(target, args);
        };
      }
      return fn.bind(target);
    },
  });
  return { client: proxy, trips };
}
