/**
 * Direct-mode records through a TCP proxy that injects faults between ioredis
 * and a private redis-server: replies swallowed after Redis ran the command,
 * requests cut half-way, connections refused. Whatever ioredis re-sends and
 * the store retries, every resolved call must be counted exactly once and
 * every rejected call at most once, on every granularity.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import type { Metrics } from "../../src/core/types.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { GRANULARITIES, type Granularity } from "../../src/time/index.js";
import { type PrivateRedis, randomPrefix, startRedis } from "./redis-helpers.js";
import { type Fault, type FaultProxy, startFaultProxy } from "./redis-proxy.js";

// Instants in different minutes, hours, days, weeks, months and years.
const INSTANTS = [
  Date.UTC(2023, 11, 31, 23, 59),
  Date.UTC(2024, 0, 1, 0, 0),
  Date.UTC(2024, 0, 1, 5, 30),
  Date.UTC(2024, 0, 9, 12, 0),
];
const SLUGS = ["f_a", "f_b", "f_c", "f_d", "f_e"];

let server: PrivateRedis;
let proxy: FaultProxy;
beforeAll(async () => {
  server = await startRedis();
  proxy = await startFaultProxy(server.port);
});
afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

interface Call {
  slug: string;
  at: number;
  by: number;
}

/** Expected count of every bucket of every granularity, from a list of calls. */
function tally(m: Metrics, calls: Call[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of calls) {
    const buckets = m.calendar.bucketsAt(c.at);
    GRANULARITIES.forEach((g, rank) => {
      const key = `${c.slug} ${g} ${buckets[rank]?.start}`;
      out.set(key, (out.get(key) ?? 0) + c.by);
    });
    out.set(`${c.slug} total`, (out.get(`${c.slug} total`) ?? 0) + c.by);
  }
  return out;
}

/** What the store holds for the same buckets. */
async function stored(m: Metrics, keys: Iterable<string>): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const key of keys) {
    const [slug, g, start] = key.split(" ") as [string, string, string | undefined];
    if (g === "total") out.set(key, await m.total(slug));
    else {
      const t = Number(start);
      const rows = await m.history(slug, { from: t, to: t, granularity: g as Granularity });
      out.set(key, rows[0]?.count ?? Number.NaN);
    }
  }
  return out;
}

describe("redis store under injected network faults", () => {
  it("counts every resolved direct record exactly once, sequential and 200 in flight", async () => {
    const m = createMetrics({
      store: redisStore({ url: proxy.url, prefix: randomPrefix(), commandTimeoutMs: 20_000 }),
      granularities: { min: "minutes", max: "years" },
      now: () => INSTANTS[0] as number,
    });
    const resolved: Call[] = [];
    const rejected: Call[] = [];
    let seed = 12345;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const one = async (): Promise<void> => {
      const call = {
        slug: SLUGS[random(SLUGS.length)] as string,
        at: INSTANTS[random(INSTANTS.length)] as number,
        by: 1 + random(5),
      };
      try {
        await m.record(call.slug, { at: call.at, by: call.by });
        resolved.push(call);
      } catch {
        rejected.push(call);
      }
    };
    let running = true;
    const sequential = (async () => {
      while (running) await one();
    })();
    const concurrent = (async () => {
      while (running) await Promise.all(Array.from({ length: 200 }, one));
    })();
    // Inject faults one after another while both loads run.
    const kinds: Fault[] = ["swallow", "cut", "refuse"];
    const wanted = 60;
    try {
      for (let i = 0; i < wanted; i++) {
        await proxy.inject(kinds[i % kinds.length] as Fault);
        // Let traffic flow between faults: at least 25 more records resolve
        // (however loaded the machine), at most 30 s.
        const before = resolved.length;
        for (let waited = 0; resolved.length < before + 25 && waited < 30_000; waited += 10) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    } finally {
      running = false;
      await Promise.all([sequential, concurrent]);
    }
    const faults = proxy.counts.swallow + proxy.counts.cut + proxy.counts.refuse;
    expect(faults).toBeGreaterThanOrEqual(50);
    expect(proxy.counts.swallow).toBeGreaterThan(0);
    expect(proxy.counts.cut).toBeGreaterThan(0);
    expect(resolved.length).toBeGreaterThan(1000);

    const expected = tally(m, resolved);
    const maybe = tally(m, rejected);
    const actual = await stored(m, expected.keys());
    for (const [key, want] of expected) {
      const got = actual.get(key) as number;
      // Resolved ⇒ applied exactly once; rejected ⇒ applied at most once.
      expect(got, key).toBeGreaterThanOrEqual(want);
      expect(got, key).toBeLessThanOrEqual(want + (maybe.get(key) ?? 0));
    }
    // With a bound far above the outage, no call should have been given up on.
    expect(rejected).toEqual([]);
    await m.dispose();
  }, 120_000);
});
