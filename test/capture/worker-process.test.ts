import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { startWorker } from "../../src/capture/index.js";
import { createMetrics } from "../../src/core/index.js";
import { redisStore } from "../../src/stores/redis/index.js";
import type { Store } from "../../src/stores/types.js";
import { dropPrefix, randomPrefix, SHARED_URL } from "../stores/redis-helpers.js";
import { rng, Tally, YEAR_END } from "./_tally.js";

const prefixes: string[] = [];
const own = (): string => {
  const p = randomPrefix();
  prefixes.push(p);
  return p;
};
afterAll(async () => {
  const client = new Redis(SHARED_URL);
  for (const p of prefixes) await dropPrefix(client, p);
  client.disconnect();
});

const ROOT = new URL("../../", import.meta.url).pathname;

function spawnTs(file: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", file, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Resolves with the first stdout line matching `pattern`. */
function lineOf(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stderr?.on("data", (d: Buffer) => {
      err += d;
    });
    child.stdout?.on("data", (d: Buffer) => {
      out += d;
      const line = out.split("\n").find((l) => pattern.test(l));
      if (line) resolve(line);
    });
    child.once("exit", (code) =>
      reject(new Error(`${what} exited (${code}) before ${pattern}: ${out}${err}`)),
    );
  });
}

async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Enqueue `n` events from two producers as many small jobs; returns their tally. */
async function produce(queuePrefix: string, n: number, seed: number): Promise<Tally> {
  const producers = [0, 1].map(() =>
    createMetrics({ capture: { mode: "queue", connection: SHARED_URL, prefix: queuePrefix, flushMs: 10 } }),
  );
  const tally = new Tally();
  const random = rng(seed);
  for (let i = 0; i < n; i++) {
    const slug = `k${Math.floor(random() * 25)}`;
    const at = YEAR_END + Math.floor(random() * 6 * 60_000);
    tally.add(slug, at);
    await producers[i % 2]?.record(slug, { at, granularities: { min: "minutes" } });
    if (i % 100 === 99) await new Promise((r) => setTimeout(r, 15));
  }
  for (const p of producers) await p.dispose();
  return tally;
}

describe("queue worker processes", () => {
  it("a worker SIGKILLed after writing a batch, before completing its job, does not double-count", async () => {
    const queuePrefix = own();
    const storePrefix = own();
    const tally = await produce(queuePrefix, 3000, 11);
    const child = spawnTs("test/capture/_worker-child.ts", [], {
      QUEUE_URL: SHARED_URL,
      QUEUE_PREFIX: queuePrefix,
      STORE_URL: SHARED_URL,
      STORE_PREFIX: storePrefix,
      HOLD_MS: "5000",
    });
    const written = await lineOf(child, /^written /, "worker child");
    const killedBatch = written.slice("written ".length);
    const exited = once(child, "exit");
    child.kill("SIGKILL");
    await exited;

    const inner = redisStore({ url: SHARED_URL, prefix: storePrefix });
    const seen: string[] = [];
    const store: Store = {
      ...inner,
      recordBatch: (ops, options) => {
        seen.push(options?.batchId ?? "");
        return inner.recordBatch(ops, options);
      },
    };
    const worker = await startWorker({
      connection: SHARED_URL,
      prefix: queuePrefix,
      store,
      lockDurationMs: 1500,
      stalledIntervalMs: 300,
    });
    await until("the queue to drain", async () => {
      const d = await worker.depth();
      return d.waiting + d.active + d.delayed === 0 && seen.includes(killedBatch);
    });
    expect(await worker.depth()).toMatchObject({ failed: 0 });
    await worker.close();
    const reader = createMetrics({ store: inner });
    await tally.check(reader);
    await reader.dispose();
  }, 90_000);

  it("`tallyboard worker` drains the queue into --store and stops cleanly on SIGTERM", async () => {
    const queuePrefix = own();
    const storePrefix = own();
    const child = spawnTs(
      "src/cli/main.ts",
      ["worker", "--store", `${SHARED_URL}?prefix=${storePrefix}`, "--prefix", queuePrefix, "-c", "2"],
      {},
    );
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => {
      stderr += d;
    });
    await lineOf(child, /^worker ready$/, "tallyboard worker");
    const tally = await produce(queuePrefix, 1000, 5);
    const store = redisStore({ url: SHARED_URL, prefix: storePrefix });
    const reader = createMetrics({ store });
    await until("every event to be written", async () => {
      const totals = await Promise.all([...tally.counts.keys()].map((s) => reader.total(s)));
      return totals.reduce((a, b) => a + b, 0) === tally.events;
    });
    const exited = once(child, "exit");
    child.kill("SIGTERM");
    const [code] = await exited;
    expect(code).toBe(0);
    expect(stderr).toMatch(/SIGTERM: finishing running jobs\nworker stopped after \d+ jobs/);
    await tally.check(reader);
    await reader.dispose();
  }, 90_000);
});
