/**
 * The HTTP section: events/s through `POST /api/v1/events` (batches of 100)
 * against a `serve()`d app on loopback, next to the same batches given
 * straight to `metrics.recordMany()`, on the memory store and on Redis (the
 * private redis-server of bench/run.ts). The load loop runs in a worker
 * thread (its own event loop; keep-alive `fetch`), so the server's event loop
 * serves requests only. Each measurement is bounded by a batch count and a time
 * limit; afterwards every event posted must be counted in the store.
 */
import { randomBytes } from "node:crypto";
import { Worker } from "node:worker_threads";
import { createMetrics, type Metrics, type RecordEvent } from "../src/core/index.js";
import { createApp, serve } from "../src/server/index.js";
import { memoryStore } from "../src/stores/memory/index.js";
import { redisStore } from "../src/stores/redis/index.js";
import type { Store } from "../src/stores/types.js";
import type { BenchContext, BenchRow, BenchSection } from "./_types.js";

const BATCH = 100;
const SLUGS = 20;
/** Different bodies cycled through by the load loop (slugs and categories vary). */
const BODIES = 16;

type Target = NonNullable<BenchSection["targets"]>[number];

/** A batch of `BATCH` events over `SLUGS` slugs; `at` is left to the server's clock. */
function batch(seed: number): RecordEvent[] {
  return Array.from({ length: BATCH }, (_, i) => {
    const n = (seed * BATCH + i) % SLUGS;
    return { slug: `bench.http.${n}`, by: 1 + (i % 3), ...(n % 4 === 0 && { category: `cat${n % 3}` }) };
  });
}
const eventsIn = (events: readonly RecordEvent[]): number => events.reduce((s, e) => s + (e.by ?? 1), 0);

/** Worker body: POST bodies in a loop with `inFlight` outstanding until `batches` are done or time is up. */
const LOAD_LOOP = `
const { parentPort, workerData } = require("node:worker_threads");
const { url, bodies, batches, inFlight, maxMs } = workerData;
(async () => {
  let next = 0, done = 0, failed = 0, firstError = "";
  const start = process.hrtime.bigint();
  const deadline = Date.now() + maxMs;
  const loop = async () => {
    while (next < batches && Date.now() < deadline) {
      const i = next++;
      const res = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: bodies[i % bodies.length] });
      await res.arrayBuffer();
      if (res.status === 202) done++; else { failed++; firstError ||= res.status + ""; }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  parentPort.postMessage({ done, failed, firstError, ms });
})().catch((e) => parentPort.postMessage({ done: 0, failed: 1, firstError: String(e), ms: 1 }));
`;

interface LoadResult {
  done: number;
  failed: number;
  firstError: string;
  ms: number;
}

function loadOverHttp(url: string, bodies: string[], batches: number, inFlight: number, maxMs: number) {
  return new Promise<LoadResult>((resolve, reject) => {
    const worker = new Worker(LOAD_LOOP, {
      eval: true,
      workerData: { url, bodies, batches, inFlight, maxMs },
    });
    worker.once("message", (m: LoadResult) => {
      void worker.terminate();
      resolve(m);
    });
    worker.once("error", reject);
  });
}

/** recordMany() of `batches` batches with `inFlight` outstanding, bounded by `maxMs`; batches done and ms taken. */
async function loadLibrary(
  metrics: Metrics,
  sets: RecordEvent[][],
  batches: number,
  inFlight: number,
  maxMs: number,
) {
  let next = 0;
  let done = 0;
  const deadline = Date.now() + maxMs;
  const start = process.hrtime.bigint();
  const loop = async (): Promise<void> => {
    while (next < batches && Date.now() < deadline) {
      await metrics.recordMany(sets[next++ % sets.length] as RecordEvent[]);
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  return { done, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

async function countedTotal(metrics: Metrics): Promise<number> {
  let total = 0;
  for (let n = 0; n < SLUGS; n++) total += await metrics.total(`bench.http.${n}`);
  return total;
}

/** Measure one store: library calls, then HTTP at 1 and 16 in flight; check every event was counted. */
async function measureStore(ctx: BenchContext, label: string, makeStore: () => Store) {
  const rows: BenchRow[] = [];
  const targets: Target[] = [];
  const sets = Array.from({ length: BODIES }, (_, i) => batch(i));
  const bodies = sets.map((s) => JSON.stringify(s));
  const perSet = sets.map(eventsIn);
  const eventsOf = (batches: number) =>
    Array.from({ length: batches }, (_, i) => perSet[i % BODIES] as number).reduce((a, b) => a + b, 0);
  const batches = Math.max(20, Math.round(3000 * ctx.scale));
  const maxMs = Math.max(2000, 15_000 * ctx.scale);
  const libName = `library recordMany() (${label})`;

  const metrics = createMetrics({ store: makeStore(), granularities: { min: "minutes", max: "years" } });
  const server = await serve(createApp(metrics), { port: 0 });
  const url = `${server.url}/api/v1/events`;
  try {
    await loadLibrary(metrics, sets, 20, 4, maxMs); // warm-up
    await loadOverHttp(url, bodies, 20, 4, maxMs);
    const before = await countedTotal(metrics);
    let expected = before;

    const lib = await loadLibrary(metrics, sets, batches, 16, maxMs);
    expected += eventsOf(lib.done);
    const libRate = (lib.done * BATCH * 1000) / lib.ms;
    rows.push({ name: "batches of 100, 16 in flight", subject: libName, value: libRate, unit: "events/s" });
    ctx.log(`http/${label}: library ${Math.round(libRate)} events/s (${lib.done} batches)`);

    for (const inFlight of [1, 16]) {
      const r = await loadOverHttp(url, bodies, batches, inFlight, maxMs);
      if (r.failed > 0) throw new Error(`${r.failed} POSTs failed on ${label} (first: ${r.firstError})`);
      expected += eventsOf(r.done);
      const rate = (r.done * BATCH * 1000) / r.ms;
      rows.push({
        name: `POST /api/v1/events, batches of 100, ${inFlight} in flight`,
        subject: `tallyboard HTTP (${label})`,
        value: rate,
        unit: "events/s",
        ratio: { to: libName, value: rate / libRate },
      });
      rows.push({
        name: `POST /api/v1/events latency, ${inFlight} in flight`,
        subject: `tallyboard HTTP (${label})`,
        value: (r.ms / r.done) * inFlight,
        unit: "ms/batch",
      });
      ctx.log(`http/${label}: HTTP ${inFlight} in flight ${Math.round(rate)} events/s (${r.done} batches)`);
    }
    const counted = await countedTotal(metrics);
    targets.push({
      name: `every posted event counted (${label})`,
      met: counted === expected,
      detail: `${counted} counted, ${expected} sent (sum of by over all records)`,
    });
  } finally {
    await server.close();
    await metrics.dispose();
  }
  return { rows, targets };
}

/** Run the HTTP section on the memory store and on Redis. */
export async function run(ctx: BenchContext): Promise<BenchSection> {
  const rows: BenchRow[] = [];
  const targets: Target[] = [];
  const prefix = `tbhttp${randomBytes(4).toString("hex")}`;
  for (const [label, makeStore] of [
    ["memory", () => memoryStore()],
    ["redis", () => redisStore({ url: ctx.redisUrl, prefix })],
  ] as const) {
    const part = await measureStore(ctx, label, makeStore);
    rows.push(...part.rows);
    targets.push(...part.targets);
  }
  return { name: "HTTP ingest (POST /api/v1/events)", rows, targets };
}
