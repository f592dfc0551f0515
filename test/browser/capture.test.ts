import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics, type Metrics } from "../../src/core/index.js";
import { createApp, type ServerHandle, serve } from "../../src/server/index.js";
import { dropPrefix, randomPrefix, SHARED_URL } from "../stores/redis-helpers.js";
import { axeViolations, launch, openPage } from "./_harness.js";

const NOW = Date.UTC(2026, 0, 5, 10, 30);
const prefix = randomPrefix();
let browser: Browser;
let buffered: Metrics;
let queue: Queue;
let watching: ServerHandle;
let direct: ServerHandle;

beforeAll(async () => {
  queue = new Queue("tallyboard", { connection: { url: SHARED_URL }, prefix });
  for (let i = 0; i < 2; i++) await queue.add("batch", { v: 1 }, { jobId: `w${i}` });
  await queue.add("batch", { v: 1 }, { jobId: "d", delay: 3_600_000 });
  buffered = createMetrics({ now: () => NOW, capture: { mode: "buffered", flushMs: 600_000 } });
  for (const slug of ["signups", "logins", "orders"]) await buffered.record(slug, { by: 3 });
  watching = await serve(createApp(buffered, { now: () => NOW, queue: { connection: SHARED_URL, prefix } }), {
    port: 0,
  });
  direct = await serve(createApp(createMetrics(), { now: () => NOW }), { port: 0 });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await watching?.close();
  await direct?.close();
  await buffered?.dispose({ discard: true });
  await queue?.close();
  const client = new Redis(SHARED_URL);
  await dropPrefix(client, prefix);
  client.disconnect();
});

describe("dashboard: the capture panel", () => {
  it("shows what buffered capture holds and the watched queue's jobs, as /healthz reports them", async () => {
    const { page, problems } = await openPage(browser, `${watching.url}/`);
    const panel = page.locator("#capture-panel");
    await panel.waitFor({ state: "visible" });
    const health = (await (await fetch(`${watching.url}/api/v1/healthz`)).json()) as {
      capture: { pendingSums: number; pendingBatchSums: number };
      queue: { waiting: number; delayed: number };
    };
    expect(health.queue).toEqual({ waiting: 2, active: 0, delayed: 1, failed: 0 });
    const text = (await page.locator("#capture-list").textContent()) ?? "";
    expect(text).toContain("buffered");
    expect(text).toContain(
      `Not yet written: ${health.capture.pendingSums + health.capture.pendingBatchSums}`,
    );
    expect(text).toContain("2 waiting");
    expect(text).toContain("1 delayed");
    expect(text).toContain("0 failed");
    expect(await axeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("is hidden for direct capture without a watched queue", async () => {
    const { page, problems } = await openPage(browser, `${direct.url}/`);
    await page.locator("#status").filter({ hasText: "Updated" }).waitFor();
    expect(await page.locator("#capture-panel").isHidden()).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });
});
