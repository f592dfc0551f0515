/**
 * The store side of the browser section: a store whose calls (and the round
 * trips of its reads of counts) are counted, the seed of 1,000 slugs in 20
 * categories, and the Redis command count of `INFO commandstats`.
 */
import type { Redis } from "ioredis";
import type { Metrics, RecordEvent } from "../src/core/index.js";
import type { Store } from "../src/stores/types.js";
import type { RoundTrips } from "./_round-trips.js";

const DAY = 86_400_000;
/** Slugs of the seed, spread over CATEGORIES categories, with DAYS × 2 days of daily counts each. */
export const SLUGS = 1_000;
export const CATEGORIES = 20;
export const DAYS = 30;

/**
 * A store whose method calls are counted, with the round trips of `trips`
 * made inside its reads of counts (read/readMany) counted apart, and whose
 * `readMany` can be hidden (then the core reads each slug with `read()`).
 */
export function counted(store: Store, trips?: RoundTrips) {
  let calls: Record<string, number> = {};
  let readTrips = 0;
  let inFlight = 0; // reads in flight: round trips are counted from the first start to the last end
  let since = 0;
  let batched = true;
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      if (key === "readMany" && !batched) return undefined;
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function" || key === "attach" || key === "dispose") return value;
      return async (...args: unknown[]) => {
        calls[String(key)] = (calls[String(key)] ?? 0) + 1;
        const reads = key === "read" || key === "readMany";
        if (reads && inFlight++ === 0) since = trips?.total ?? 0;
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          if (reads && --inFlight === 0) readTrips += (trips?.total ?? 0) - since;
        }
      };
    },
  });
  return {
    store: proxy,
    calls: () => ({ ...calls }),
    readTrips: () => readTrips,
    batch(on: boolean) {
      batched = on;
    },
    reset: () => {
      calls = {};
      readTrips = 0;
      trips?.reset();
    },
  };
}

export async function seed(metrics: Metrics, now: number): Promise<void> {
  const events: RecordEvent[] = [];
  for (let s = 0; s < SLUGS; s++) {
    for (let d = 0; d < DAYS * 2; d++) {
      events.push({
        slug: `bench.ui.${String(s).padStart(4, "0")}`,
        by: 1 + ((s + d) % 17),
        at: now - d * DAY,
        category: `area${s % CATEGORIES}`,
      });
    }
    if (events.length >= 10_000) await metrics.recordMany(events.splice(0));
  }
  if (events.length) await metrics.recordMany(events);
}

export async function redisCommands(client: Redis): Promise<number> {
  const info = String(await client.info("commandstats"));
  let total = 0;
  for (const m of info.matchAll(/^cmdstat_(\w+):calls=(\d+)/gm)) if (m[1] !== "info") total += Number(m[2]);
  return total;
}
