import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics, type Metrics } from "../../src/core/index.js";
import { createApp, type ServerHandle, serve } from "../../src/server/index.js";
import { HOUR, launch, openPage, seed } from "./_harness.js";

const NOW = Math.floor(Date.now() / 60_000) * 60_000;
const ZONE = "America/New_York";

let browser: Browser;
let metrics: Metrics;
let server: ServerHandle;

interface Drawn {
  x: number[];
  y: number[][];
  previous: number[][];
}

async function drawn(page: Page, slugs: string): Promise<Drawn> {
  const card = page.locator(`#chart-card[data-state=ready][data-slugs="${slugs}"]`);
  await card.waitFor();
  const read = async (name: string) => JSON.parse((await card.getAttribute(`data-${name}`)) ?? "[]");
  return { x: await read("x"), y: await read("y"), previous: await read("previous") };
}

async function api(query: string) {
  const res = await fetch(`${server.url}/api/v1/overview?${query}`);
  return (await res.json()) as { starts: string[]; tiles: { counts: number[]; previousCounts: number[] }[] };
}

/** Download the CSV of what is shown: header and rows. */
async function csv(page: Page): Promise<string[][]> {
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#download").click()]);
  const text = await readFile((await download.path()) as string, "utf8");
  return text
    .trim()
    .split("\n")
    .map((line) => line.split(","));
}

/** Drag across the plot from one fraction of its width to another. */
async function drag(page: Page, from: number, to: number) {
  const box = await page.locator("#plot .u-over").boundingBox();
  if (!box) throw new Error("no plot");
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * from, y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * ((from + to) / 2), y, { steps: 4 });
  await page.mouse.move(box.x + box.width * to, y, { steps: 4 });
  await page.mouse.up();
}

beforeAll(async () => {
  metrics = createMetrics({ timezone: ZONE, granularities: { min: "hours", max: "years" } });
  await seed(metrics, NOW);
  server = await serve(createApp(metrics, { now: () => NOW }), { port: 0 });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await metrics?.dispose();
});

describe("detail chart", () => {
  it("draws several slugs on one chart with their previous range, as the API answers", async () => {
    const { page, problems } = await openPage(
      browser,
      `${server.url}/#v=chart&g=hours&r=7d&s=signups,page_views`,
    );
    const d = await drawn(page, "signups,page_views");
    const a = await api("slugs=signups,page_views&granularity=hours&range=7d");
    expect(d.x).toEqual(a.starts.map((s) => Date.parse(s) / 1000));
    expect(d.y).toEqual(a.tiles.map((t) => t.counts));
    expect(d.previous).toEqual(a.tiles.map((t) => t.previousCounts));
    const history = await fetch(
      `${server.url}/api/v1/metrics/page_views?granularity=hours&from=${a.starts[0]}&to=${a.starts.at(-1)}`,
    );
    expect(d.y[1]).toEqual(
      ((await history.json()) as { rows: { count: number }[] }).rows.map((r) => r.count),
    );
    const labels = await page.locator(".u-legend .u-series th").allTextContents();
    expect(labels.map((l) => l.trim())).toEqual([
      `Time (${ZONE})`,
      "signups",
      "page_views",
      "signups (previous)",
      "page_views (previous)",
    ]);
    await page.locator("#compare").uncheck();
    await expect.poll(() => page.locator(".u-legend .u-series").count()).toBe(3);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows the values under the cursor with the time in the store's zone", async () => {
    const { page } = await openPage(browser, `${server.url}/#v=chart&g=hours&r=24h&s=signups`);
    const d = await drawn(page, "signups");
    const box = await page.locator("#plot .u-over").boundingBox();
    if (!box) throw new Error("no plot");
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    const values = page.locator(".u-legend .u-series td.u-value");
    await expect.poll(() => values.first().textContent()).not.toBe("--");
    const [time, value] = (await values.allTextContents()).map((v) => v.trim());
    const local = new Intl.DateTimeFormat("en-US", {
      timeZone: ZONE,
      month: "2-digit",
      day: "2-digit",
      year: "numeric",
      hour: "numeric",
      minute: "2-digit",
    });
    const index = d.x.findIndex((x) => {
      const p = Object.fromEntries(local.formatToParts(new Date(x * 1000)).map((q) => [q.type, q.value]));
      return (
        time === `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}${(p.dayPeriod ?? "").toLowerCase()}`
      );
    });
    expect(index, `legend time ${time}`).toBeGreaterThanOrEqual(0);
    expect(Number(value?.replace(/,/g, ""))).toBe(d.y[0]?.[index]);
    await page.close();
  });

  it("zooms by dragging, downloads exactly the points shown as CSV, and resets", async () => {
    const { page, problems } = await openPage(
      browser,
      `${server.url}/#v=chart&g=hours&r=7d&s=signups,logins`,
    );
    const d = await drawn(page, "signups,logins");
    const full = await csv(page);
    expect(full[0]).toEqual([
      "start",
      `local (${ZONE})`,
      "signups",
      "logins",
      "signups (previous)",
      "logins (previous)",
    ]);
    expect(full.length - 1).toBe(d.x.length);
    expect(await page.locator("#reset-zoom").isDisabled()).toBe(true);
    await drag(page, 0.3, 0.6);
    await expect.poll(() => page.locator("#reset-zoom").isDisabled()).toBe(false);
    const zoomed = (await csv(page)).slice(1);
    expect(zoomed.length).toBeGreaterThan(10);
    expect(zoomed.length).toBeLessThan(d.x.length * 0.5);
    for (const row of zoomed) {
      const i = d.x.indexOf(Date.parse(row[0] as string) / 1000);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(row.slice(2, 4).map(Number)).toEqual([d.y[0]?.[i], d.y[1]?.[i]]);
    }
    await page.locator("#reset-zoom").click();
    expect((await csv(page)).length - 1).toBe(d.x.length);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("takes a custom from/to range and keeps it in the address", async () => {
    const { page, problems } = await openPage(browser, `${server.url}/#v=chart&g=hours&r=7d&s=signups`);
    await drawn(page, "signups");
    await page.locator("#range").selectOption("custom");
    await page.locator("#from").fill("2026-01-01T00:00");
    const from = new Date(NOW - 3 * 24 * HOUR).toISOString().slice(0, 16);
    const to = new Date(NOW - 2 * 24 * HOUR).toISOString().slice(0, 16);
    await page.locator("#from").fill(from);
    await page.locator("#to").fill(to);
    await page.locator("#custom-range button[type=submit]").click();
    await expect.poll(() => page.url()).toContain("r=custom");
    const a = await api(`slugs=signups&granularity=hours&from=${from}&to=${to}`);
    await expect.poll(async () => (await drawn(page, "signups")).x.length).toBe(a.starts.length);
    expect((await drawn(page, "signups")).y).toEqual(a.tiles.map((t) => t.counts));
    await page.reload();
    expect((await drawn(page, "signups")).x).toEqual(a.starts.map((s) => Date.parse(s) / 1000));
    expect(await page.locator("#from").inputValue()).toBe(from);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("picks up new events on refresh and on the 10 s auto-refresh", async () => {
    const { page } = await openPage(browser, `${server.url}/#v=chart&g=days&r=90d&s=signups`);
    const sum = async () => ((await drawn(page, "signups")).y[0] ?? []).reduce((a, b) => a + b, 0);
    const before = await sum();
    await metrics.record("signups", { by: 1000, at: NOW - 60_000 });
    await page.locator("#refresh").click();
    await expect.poll(sum).toBe(before + 1000);
    await metrics.record("signups", { by: 1000, at: NOW - 60_000 });
    await expect.poll(sum, { timeout: 20_000 }).toBe(before + 2000);
    await page.close();
  });
});
