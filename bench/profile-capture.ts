/**
 * Profile the buffered hot path: 1M `record()` calls over 1,000 slugs into a
 * memory store, then into Redis under a unique prefix, awaited and
 * fire-and-forget, with a flush at the end of each. Run it under the V8
 * profiler and open the .cpuprofile in Chrome DevTools or speedscope:
 *
 *   node --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof bench/profile-capture.ts [redis-url]
 *
 * The Redis URL defaults to redis://127.0.0.1:6379; the prefix's keys are
 * deleted afterwards.
 */
import { Redis } from "ioredis";
import { createMetrics, type Metrics } from "../src/core/index.js";
import { memoryStore } from "../src/stores/memory/index.js";
import { redisStore } from "../src/stores/redis/index.js";
import type { Store } from "../src/stores/types.js";
import { SLUGS } from "./_capture_hot.js";

const EVENTS = 1_000_000;

async function run(label: string, metrics: Metrics, awaited: boolean): Promise<void> {
  const start = process.hrtime.bigint();
  if (awaited) {
    for (let i = 0; i < EVENTS; i++) await metrics.record(SLUGS[i % SLUGS.length] as string);
  } else {
    for (let i = 0; i < EVENTS; i++) void metrics.record(SLUGS[i % SLUGS.length] as string);
  }
  await metrics.flush();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  process.stdout.write(`${label}: ${Math.round((EVENTS / ms) * 1000).toLocaleString("en-US")} events/s\n`);
}

async function subject(name: string, store: Store): Promise<void> {
  const metrics = createMetrics({ store, capture: { mode: "buffered" } });
  for (const slug of SLUGS) await metrics.record(slug);
  await run(`${name}, awaited`, metrics, true);
  await run(`${name}, fire-and-forget`, metrics, false);
  await metrics.dispose();
}

async function main(): Promise<void> {
  const url = process.argv[2] ?? "redis://127.0.0.1:6379";
  const prefix = `profile-capture-${process.pid}-${Date.now()}`;
  await subject("memory", memoryStore());
  await subject("redis", redisStore({ url, prefix }));
  const client = new Redis(url);
  let cursor = "0";
  do {
    const [next, keys] = await client.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    if (keys.length > 0) await client.unlink(...keys);
    cursor = next;
  } while (cursor !== "0");
  client.disconnect();
}

await main();
