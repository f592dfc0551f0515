import { Hono } from "hono";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics, type Metrics } from "../../src/core/index.js";
import { createApp, type ServerHandle, serve } from "../../src/server/index.js";
import { DAY, inkOf, launch, openPage, seed, XSS } from "./_harness.js";

let browser: Browser;
let metrics: Metrics;
let server: ServerHandle;
const NOW = Math.floor(Date.now() / 60_000) * 60_000;

interface Tile {
  slug: string;
  total: number;
  previousTotal: number;
  trend: string;
  change: number | null;
  counts: number[];
}

async function apiOverview(query: string): Promise<{ count: number; tiles: Tile[] }> {
  const res = await fetch(`${server.url}/api/v1/overview?${query}`);
  return (await res.json()) as { count: number; tiles: Tile[] };
}

/** What each tile of the page shows and carries. */
async function shownTiles(page: Page) {
  await page.locator("#tiles[data-state=ready]").waitFor();
  return page.$$eval("#tiles .tile", (tiles) =>
    tiles.map((t) => {
      const b = t as HTMLElement;
      return {
        slug: b.dataset.slug,
        total: Number(b.dataset.total),
        trend: b.dataset.trend,
        drawn: b.dataset.drawn === "true",
        counts: JSON.parse(b.dataset.counts ?? "[]") as number[],
        change: b.querySelector(".tile-change")?.textContent ?? "",
        changeClass: b.querySelector(".tile-change")?.className ?? "",
      };
    }),
  );
}

beforeAll(async () => {
  metrics = createMetrics({ granularities: { min: "hours", max: "years" } });
  await seed(metrics, NOW);
  server = await serve(createApp(metrics, { now: () => NOW }), { port: 0 });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await metrics?.dispose();
});

describe("overview", () => {
  it.each([
    ["", "granularity=days&range=30d"],
    ["c=activity&", "category=activity&granularity=days&range=30d"],
    ["c=web&g=hours&r=24h&", "category=web&granularity=hours&range=24h"],
  ])(
    "on load shows one drawn tile per slug of the category (#%s), totals and arrows as the API says",
    async (hash, query) => {
      const { page, problems } = await openPage(browser, `${server.url}/#${hash}v=overview`);
      const shown = await shownTiles(page);
      const api = await apiOverview(query);
      expect(shown.map((t) => t.slug)).toEqual(api.tiles.map((t) => t.slug));
      expect(shown.length).toBe(api.count);
      for (const [i, t] of shown.entries()) {
        const a = api.tiles[i] as Tile;
        expect([t.slug, t.total, t.trend, t.counts]).toEqual([a.slug, a.total, a.trend, a.counts]);
        expect(t.drawn).toBe(true);
        expect(t.changeClass).toContain(a.trend);
        const arrow = { up: "\u25b2", down: "\u25bc", new: "new", flat: "\u2013" }[a.trend];
        expect(t.change.startsWith(arrow as string)).toBe(true);
        if (a.change !== null && a.trend !== "flat") {
          const pct = Number(t.change.replace(/[^\d.]/g, ""));
          expect(Math.abs(pct - Math.abs(a.change))).toBeLessThanOrEqual(
            Math.abs(a.change) >= 100 ? 0.5 : 0.0501,
          );
        }
      }
      expect((await inkOf(page, "#tiles canvas")).every((ink) => ink > 50)).toBe(true);
      expect(problems).toEqual([]);
      await page.close();
    },
  );

  it("shows logins going down and revenue as new against the previous range", async () => {
    const { page } = await openPage(browser, `${server.url}/#v=overview&g=days&r=7d`);
    const shown = await shownTiles(page);
    expect(shown.find((t) => t.slug === "revenue")?.change).toBe("new");
    expect(shown.find((t) => t.slug === "logins")?.change).toMatch(/^\u25bc \d/);
    await page.close();
  });

  it("opens the chart of a tile by mouse and by keyboard", async () => {
    const { page, problems } = await openPage(browser, `${server.url}/`);
    await page.locator('.tile[data-slug="signups"][data-drawn]').click();
    await page.locator("#chart-card[data-state=ready][data-slugs=signups]").waitFor();
    expect(page.url()).toContain("v=chart");
    await page.goBack().catch(() => undefined);
    await page.goto(`${server.url}/#v=overview`);
    await page.locator(".tile[data-drawn]").first().waitFor();
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate(() => document.activeElement?.classList.contains("tile"))) break;
    }
    const slug = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.slug);
    await page.keyboard.press("Enter");
    await page.locator(`#chart-card[data-state=ready][data-slugs="${slug}"]`).waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });

  it("says so when the category in the address is refused, instead of an empty page", async () => {
    const { page } = await openPage(
      browser,
      `${server.url}/#v=overview&c=${encodeURIComponent("no such/cat")}`,
    );
    const message = page.locator("#overview-message");
    await expect.poll(() => message.isVisible()).toBe(true);
    expect(await message.textContent()).toMatch(/no such\/cat/);
    expect(await message.textContent()).toMatch(/category|Invalid/i);
    await page.close();
  });

  it("says so when a valid category has no metrics", async () => {
    const { page } = await openPage(browser, `${server.url}/#c=empty`);
    await expect.poll(() => page.locator("#overview-message").textContent()).toContain("No metric");
    await page.close();
  });

  it("formats huge and large gauges compactly", async () => {
    const { page } = await openPage(browser, `${server.url}/`);
    const value = (slug: string) => page.locator(`.gauge[data-slug="${slug}"] .gauge-value`).textContent();
    await page.locator('.gauge[data-slug="huge"]').waitFor();
    expect(await value("huge")).toBe("1.70e308");
    expect(await value("active_users")).toBe("12.3M");
    expect(await value("queue_depth")).toBe("42");
    await page.close();
  });

  it("shows free-text names as text, never as markup", async () => {
    const { page, problems } = await openPage(browser, `${server.url}/#g=days&r=7d`);
    await page.locator('.tile[data-slug="revenue"] .tile-name').waitFor();
    expect(await page.locator('.tile[data-slug="revenue"] .tile-name').textContent()).toBe(XSS);
    await page.locator('button.slug[data-slug="revenue"]').waitFor();
    await page.locator("#definitions-panel summary").click();
    expect(await page.locator("#definitions tbody tr").count()).toBe(2);
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(problems).toEqual([]);
    await page.close();
  });

  it("pages past 100 tiles and keeps the page in the address", async () => {
    const many = createMetrics();
    await many.recordMany(
      Array.from({ length: 230 }, (_, i) => ({ slug: `m${String(i).padStart(3, "0")}`, at: NOW - DAY })),
    );
    const s = await serve(createApp(many, { now: () => NOW }), { port: 0 });
    try {
      const { page, problems } = await openPage(browser, `${s.url}/`);
      expect((await shownTiles(page)).length).toBe(100);
      expect(await page.locator("#pager-text").textContent()).toBe("1\u2013100 of 230");
      await page.locator("#pager-next").click();
      await page.locator("#pager-next").click();
      await expect.poll(() => page.locator("#pager-text").textContent()).toBe("201\u2013230 of 230");
      expect((await shownTiles(page)).map((t) => t.slug)[0]).toBe("m200");
      expect(page.url()).toContain("p=2");
      expect(await page.locator("#pager-next").isDisabled()).toBe(true);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await s.close();
      await many.dispose();
    }
  });
});

describe("under a prefix", () => {
  it.each([
    ["a parent Hono app", "/metrics"],
    ["a parent Hono app", "/metrics/"],
    ["basePath", "/metrics"],
    ["basePath", "/metrics/"],
  ])("works mounted with %s at %s (assets and API resolved under the prefix)", async (how, path) => {
    const parent = new Hono();
    parent.get("/", (c) => c.text("the parent's home"));
    if (how === "basePath") parent.route("/", createApp(metrics, { now: () => NOW, basePath: "/metrics" }));
    else parent.route("/metrics", createApp(metrics, { now: () => NOW }));
    const s = await serve(parent, { port: 0 });
    try {
      const { page, problems } = await openPage(browser, `${s.url}${path}`);
      expect((await shownTiles(page)).length).toBe(4);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await s.close();
    }
  });
});
