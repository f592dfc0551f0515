/**
 * The browser section: the dashboard's landing in headless Chromium with
 * 1,000 slugs in 20 categories (30 days of daily counts each), on the memory
 * store and on the private Redis of bench/run.ts. "First tiles" is the page's
 * own `tallyboard:tiles` performance mark — the first overview page drawn
 * with data — read from a fresh browser context (cold cache) each time.
 * Beside it, the `GET /api/v1/overview` request for 100 slugs × 30 days:
 * its latency, how many store calls, Redis commands (INFO commandstats) and
 * network round trips one request costs — round trips are counted by a
 * client that wraps the store's ioredis connection (bench/_round-trips.ts):
 * each single command and each pipeline `exec()` is one — and the same
 * request with `readMany()` hidden from the core (one `read()` per slug), for
 * the latency ratio in the same run.
 */
import { Redis } from "ioredis";
import { type Browser, chromium } from "playwright-core";
import { createMetrics } from "../src/core/index.js";
import { createApp, serve } from "../src/server/index.js";
import { memoryStore } from "../src/stores/memory/index.js";
import { redisStore } from "../src/stores/redis/index.js";
import type { Store } from "../src/stores/types.js";
import { CATEGORIES, counted, DAYS, redisCommands, SLUGS, seed } from "./_browser_store.js";
import { median } from "./_measure.js";
import { countRedis, type RoundTrips } from "./_round-trips.js";
import type { BenchContext, BenchRow, BenchSection } from "./_types.js";

const FIRST_TILES_TARGET_MS = 1_000;

async function firstTiles(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.locator("#tiles .tile[data-drawn]").first().waitFor({ timeout: 30_000 });
    const t = await page.evaluate(() => {
      const r = performance.getEntriesByType("resource") as PerformanceResourceTiming[];
      const script = r.find((e) => e.name.includes("dashboard.js"));
      const overview = r.find((e) => e.name.includes("/overview"));
      return {
        tiles: performance.getEntriesByName("tallyboard:tiles")[0]?.startTime ?? Number.NaN,
        script: Math.round(script?.responseEnd ?? Number.NaN),
        overviewStart: Math.round(overview?.requestStart ?? Number.NaN),
        overviewEnd: Math.round(overview?.responseEnd ?? Number.NaN),
      };
    });
    // BENCH_VERBOSE=1: when the script arrived and the overview was asked and answered.
    if (process.env.BENCH_VERBOSE) process.stderr.write(`[bench] landing ${JSON.stringify(t)}\n`);
    return t.tiles;
  } finally {
    await context.close();
  }
}

async function measure(
  ctx: BenchContext,
  label: string,
  store: Store,
  redis: Redis | undefined,
  browser: Browser,
  trips?: RoundTrips,
) {
  const rows: BenchRow[] = [];
  const now = Date.now();
  const count = counted(store, trips);
  const metrics = createMetrics({ store: count.store, granularities: { min: "days", max: "years" } });
  const server = await serve(createApp(metrics), { port: 0 });
  try {
    ctx.log(`browser/${label}: seeding ${SLUGS} slugs × ${DAYS * 2} days`);
    await seed(metrics, now);
    const runs = Math.max(3, Math.round(9 * ctx.scale));
    const landing: number[] = [];
    await firstTiles(browser, `${server.url}/`); // warm the server's asset cache
    for (let i = 0; i < runs; i++) landing.push(await firstTiles(browser, `${server.url}/`));
    ctx.log(`browser/${label}: first tiles ${landing.map((t) => Math.round(t)).join(", ")} ms`);
    rows.push({
      name: `landing, ${SLUGS} slugs in ${CATEGORIES} categories: first tiles drawn (median of ${runs})`,
      subject: label,
      value: Math.round(median(landing)),
      unit: "ms",
    });
    rows.push({
      name: "landing: first tiles drawn (slowest)",
      subject: label,
      value: Math.round(Math.max(...landing)),
      unit: "ms",
    });

    // 100 slugs × 30 days: one page of the overview, batched (readMany) and one read() per slug.
    const query = `${server.url}/api/v1/overview?granularity=days&range=${DAYS - 1}d&limit=100`;
    type Figures = {
      latencies: number[];
      calls: Record<string, number>;
      commands: number;
      readTrips: number;
      allTrips: number;
    };
    const empty = (): Figures => ({ latencies: [], calls: {}, commands: 0, readTrips: 0, allTrips: 0 });
    const once = async (batched: boolean, into: Figures) => {
      count.batch(batched);
      count.reset();
      const before = redis ? await redisCommands(redis) : 0;
      const t0 = performance.now();
      const res = await fetch(query);
      const body = (await res.json()) as { tiles: unknown[]; starts: unknown[] };
      into.latencies.push(performance.now() - t0);
      if (body.tiles.length !== 100 || body.starts.length !== DAYS)
        throw new Error(`overview answered ${body.tiles.length} tiles × ${body.starts.length} days`);
      into.calls = count.calls();
      into.readTrips = count.readTrips();
      into.allTrips = trips?.total ?? 0;
      into.commands = redis ? (await redisCommands(redis)) - before : 0;
      count.batch(true);
    };
    // Batched and one-read-per-slug requests alternate, so both see the same machine load.
    const batchedFigures = empty();
    const eachFigures = empty();
    for (let i = 0; i < Math.max(5, Math.round(30 * ctx.scale)); i++) {
      if (i % 2 === 0) {
        await once(true, batchedFigures);
        await once(false, eachFigures);
      } else {
        await once(false, eachFigures);
        await once(true, batchedFigures);
      }
    }
    const many = { ...batchedFigures, latency: median(batchedFigures.latencies) };
    const each = { ...eachFigures, latency: median(eachFigures.latencies) };
    ctx.log(`browser/${label}: store calls per overview ${JSON.stringify(many.calls)}`);
    const reads = (many.calls.read ?? 0) + (many.calls.readMany ?? 0);
    const ratio = { to: "one read() per slug", value: Math.round((many.latency / each.latency) * 100) / 100 };
    rows.push(
      {
        name: "GET /overview, 100 slugs × 30 days: latency (median)",
        subject: label,
        value: Math.round(many.latency * 10) / 10,
        unit: "ms",
        ratio,
      },
      {
        name: "same, with readMany hidden: one read() per slug (median)",
        subject: label,
        value: Math.round(each.latency * 10) / 10,
        unit: "ms",
      },
      {
        name: "GET /overview, 100 slugs × 30 days: store calls",
        subject: label,
        value: Object.values(many.calls).reduce((a, b) => a + b, 0),
        unit: "calls",
      },
      {
        name: "GET /overview, 100 slugs × 30 days: store reads of counts",
        subject: label,
        value: reads,
        unit: "calls",
      },
    );
    if (redis) {
      rows.push(
        {
          name: "GET /overview: network round trips reading the counts",
          subject: label,
          value: many.readTrips,
          unit: "round trips",
        },
        {
          name: "same, with one read() per slug",
          subject: label,
          value: each.readTrips,
          unit: "round trips",
        },
        {
          name: "GET /overview: network round trips of the whole request (listings included)",
          subject: label,
          value: many.allTrips,
          unit: "round trips",
        },
        { name: "GET /overview: Redis commands", subject: label, value: many.commands, unit: "commands" },
      );
    }
    return {
      rows,
      landing: median(landing),
      reads,
      readTrips: many.readTrips,
      commands: many.commands,
      ratio,
    };
  } finally {
    await server.close();
    await metrics.dispose();
  }
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
  const redis = new Redis(ctx.redisUrl);
  const storeClient = countRedis(new Redis(ctx.redisUrl));
  try {
    const prefix = `bench-ui-${Date.now()}`;
    const memory = await measure(ctx, "memory", memoryStore(), undefined, browser);
    const onRedis = await measure(
      ctx,
      "redis",
      redisStore({ client: storeClient.client, prefix }),
      redis,
      browser,
      storeClient.trips,
    );
    const worst = Math.max(memory.landing, onRedis.landing);
    return {
      name: "Dashboard in headless Chromium",
      rows: [...memory.rows, ...onRedis.rows],
      targets: [
        {
          name: `landing with ${SLUGS} slugs draws first tiles within ${FIRST_TILES_TARGET_MS} ms`,
          met: worst <= FIRST_TILES_TARGET_MS,
          detail: `median ${Math.round(memory.landing)} ms on memory, ${Math.round(onRedis.landing)} ms on Redis`,
        },
        {
          name: "overview of 100 slugs × 30 days reads its counts in one store round trip",
          met: onRedis.readTrips === 1 && onRedis.reads === 1,
          detail: `on Redis ${onRedis.readTrips} network round trip(s) for the counts (${onRedis.reads} store read call(s), ${onRedis.commands} Redis commands), latency ${onRedis.ratio.value}× of one read() per slug; memory ${memory.reads} read call(s), latency ${memory.ratio.value}×`,
        },
      ],
    };
  } finally {
    redis.disconnect();
    storeClient.client.disconnect();
    await browser.close();
  }
}
