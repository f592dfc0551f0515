/**
 * Where data ends under retention: on a store that keeps hours for 2 days, the
 * detail chart of 7 days shades the part before `keptFrom` (drawn on the
 * canvas), says "No data kept before <date>" with the API's keptFrom, and the
 * overview tiles carry a note; a range inside the kept span shows neither.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics, type Metrics } from "../../src/core/index.js";
import { createApp, type ServerHandle, serve } from "../../src/server/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { axeViolations, launch, openPage, seed } from "./_harness.js";

const NOW = Math.floor(Date.now() / 60_000) * 60_000;
const ZONE = "Europe/Berlin";

let browser: Browser;
let metrics: Metrics;
let server: ServerHandle;

beforeAll(async () => {
  metrics = createMetrics({
    store: memoryStore({ retention: { hours: "2d" } }),
    timezone: ZONE,
    now: () => NOW,
    granularities: { min: "hours", max: "years" },
  });
  await seed(metrics, NOW);
  server = await serve(createApp(metrics, { now: () => NOW }), { port: 0 });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await metrics?.dispose();
});

async function apiKeptFrom(path: string): Promise<string | null> {
  const res = await fetch(`${server.url}/api/v1/${path}`);
  return ((await res.json()) as { keptFrom: string | null }).keptFrom;
}

/** The label the dashboard gives an instant: local wall-clock time in the store's zone. */
const local = (iso: string) =>
  new Intl.DateTimeFormat("sv-SE", {
    timeZone: ZONE,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(iso));

/** Share of inked pixels on row `y` of the chart's canvas, in each [from, to) span (canvas pixels; one readback). */
function inkOnRow(page: Page, y: number, spans: [number, number][]): Promise<number[]> {
  return page.$eval(
    "#plot canvas",
    (canvas, [y, spans]) => {
      const c = canvas as HTMLCanvasElement;
      const data = c.getContext("2d")?.getImageData(0, y, c.width, 1).data ?? new Uint8ClampedArray();
      return spans.map(([from, to]) => {
        let ink = 0;
        for (let x = from; x < to; x++) if ((data[x * 4 + 3] ?? 0) > 0) ink++;
        return ink / Math.max(1, to - from);
      });
    },
    [y, spans] as const,
  );
}

describe("dashboard under retention", () => {
  it("shades the detail chart before keptFrom and names the API's keptFrom", async () => {
    const { page, problems } = await openPage(browser, `${server.url}/#v=chart&g=hours&r=7d&s=signups`);
    const card = page.locator("#chart-card[data-state=ready][data-kept-box]");
    await card.waitFor();
    const kept = await apiKeptFrom("overview?slugs=signups&granularity=hours&range=7d");
    expect(kept).not.toBeNull();
    expect(kept).toBe(
      await apiKeptFrom(
        `metrics/signups?granularity=hours&from=${new Date(NOW - 7 * 86_400_000).toISOString()}`,
      ),
    );
    expect(await card.getAttribute("data-kept-from")).toBe(kept);
    const note = page.locator("#chart-kept");
    expect(await note.isVisible()).toBe(true);
    expect(await note.textContent()).toContain(`No data kept before ${local(kept as string)} (${ZONE})`);
    // The marker sits where keptFrom falls on the x axis (2 of 7 days from the right)…
    const [left, top, x, width, height] = JSON.parse((await card.getAttribute("data-kept-box")) ?? "[]") as [
      number,
      number,
      number,
      number,
      number,
    ];
    expect((x - left) / width).toBeGreaterThan(0.65);
    expect((x - left) / width).toBeLessThan(0.78);
    // …and the area before it is shaded on the canvas, above the lines; after it nothing is.
    const [before, after] = await inkOnRow(page, top + 2, [
      [left + 2, x - 2],
      [x + 3, left + width - 2],
    ]);
    expect(before).toBeGreaterThan(0.95);
    expect(after).toBeLessThan(0.2);
    expect(height).toBeGreaterThan(50);
    // Counts before keptFrom are drawn as zero, as the API answers.
    const y = JSON.parse((await page.locator("#chart-card").getAttribute("data-y")) ?? "[]") as number[][];
    const xs = JSON.parse((await page.locator("#chart-card").getAttribute("data-x")) ?? "[]") as number[];
    const cut = xs.findIndex((s) => s * 1000 >= Date.parse(kept as string));
    expect(cut).toBeGreaterThan(0);
    expect(y[0]?.slice(0, cut).every((n) => n === 0)).toBe(true);
    expect(y[0]?.slice(cut).some((n) => n > 0)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("notes on each overview tile that the range starts before keptFrom", async () => {
    for (const scheme of ["light", "dark"] as const) {
      const { page, problems } = await openPage(browser, `${server.url}/#g=hours&r=7d`, {
        colorScheme: scheme,
      });
      await page.locator("#tiles[data-state=ready] .tile[data-drawn]").first().waitFor();
      const kept = await apiKeptFrom("overview?granularity=hours&range=7d");
      expect(await page.locator("#tiles").getAttribute("data-kept-from")).toBe(kept);
      const notes = await page.locator("#tiles .tile-note").allTextContents();
      expect(notes.length).toBe(await page.locator("#tiles .tile").count());
      expect(new Set(notes)).toEqual(new Set([`No data kept before ${local(kept as string)}`]));
      expect(await axeViolations(page)).toEqual([]);
      expect(problems).toEqual([]);
      await page.close();
    }
  });

  it("shows no marker or note when the range lies within what is kept", async () => {
    const { page } = await openPage(browser, `${server.url}/#v=chart&g=hours&r=6h&s=signups`);
    await page.locator("#chart-card[data-state=ready]").waitFor();
    expect(await page.locator("#chart-card").getAttribute("data-kept-from")).toBeNull();
    expect(await page.locator("#chart-card").getAttribute("data-kept-box")).toBeNull();
    expect(await page.locator("#chart-kept").isVisible()).toBe(false);
    await page.goto(`${server.url}/#g=hours&r=6h`);
    await page.reload();
    await page.locator("#tiles[data-state=ready] .tile[data-drawn]").first().waitFor();
    expect(await page.locator("#tiles .tile-note").count()).toBe(0);
    await page.close();
  });
});
