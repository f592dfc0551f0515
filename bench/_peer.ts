/**
 * The peer: npm `redis-metrics` 1.4.2 (CommonJS, node_redis 2 inside), loaded
 * with `createRequire`. Its `incr()` reads the clock through `moment`, so a
 * backfill sets `now` on the very moment instance the peer resolves (from the
 * peer's own dependency path) for the duration of each call.
 */
import { createRequire } from "node:module";

/** The part of a redis-metrics counter the bench uses. */
export interface PeerCounter {
  incr(): Promise<unknown>;
  incrby(amount: number): Promise<unknown>;
  countRange(granularity: string, start: Date, end: Date): Promise<Record<string, number>>;
}

interface PeerMetrics {
  client: { quit(callback?: () => void): void; on(event: string, listener: (e: unknown) => void): void };
  counter(name: string, options: { timeGranularity: string }): PeerCounter;
}

interface MomentHooks {
  now: () => number;
}

/** A connected peer plus a way to run a call at a chosen instant. */
export interface Peer {
  counter(name: string): PeerCounter;
  /** Run `fn` (synchronously starting one peer call) with the peer's clock at `at`. */
  at<T>(at: number, fn: () => T): T;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** Version of the peer as installed. */
export function peerVersion(): string {
  const pkg = require("redis-metrics/package.json") as { version: string };
  return pkg.version;
}

/** Connect the peer to `host:port`; counters use hourly granularity (hour/day/month/year + total). */
export function connectPeer(host: string, port: number): Peer {
  const RedisMetrics = require("redis-metrics") as new (config: {
    host: string;
    port: number;
  }) => PeerMetrics;
  const peerRequire = createRequire(require.resolve("redis-metrics"));
  const moment = peerRequire("moment") as MomentHooks;
  const metrics = new RedisMetrics({ host, port });
  metrics.client.on("error", () => {});
  const counters = new Map<string, PeerCounter>();
  const realNow = moment.now;
  return {
    counter(name) {
      let counter = counters.get(name);
      if (!counter) {
        counter = metrics.counter(name, { timeGranularity: "hour" });
        counters.set(name, counter);
      }
      return counter;
    },
    at(at, fn) {
      moment.now = () => at;
      try {
        return fn();
      } finally {
        moment.now = realNow;
      }
    },
    close: () => new Promise<void>((resolve) => metrics.client.quit(() => resolve())),
  };
}
