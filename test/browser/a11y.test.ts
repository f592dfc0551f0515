import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics, type Metrics } from "../../src/core/index.js";
import { createReports } from "../../src/reports/index.js";
import { createApp, type ServerHandle, serve } from "../../src/server/index.js";
import { ARTIFACTS, axeViolations, DAY, launch, openPage, seed } from "./_harness.js";

const NOW = Math.floor(Date.now() / 60_000) * 60_000;
const TOKEN = "a11y-token-0123456789abcdef";

let browser: Browser;
let metrics: Metrics;
let server: ServerHandle;
let secured: ServerHandle;

/** Every page of the dashboard, and what shows it is drawn. */
const PAGES: [name: string, hash: string, ready: string][] = [
  ["overview", "#v=overview&g=days&r=30d", "#tiles[data-state=ready] .tile[data-drawn]"],
  ["chart", "#v=chart&g=hours&r=7d&s=signups,page_views", "#chart-card[data-state=ready]"],
  ["sets", "#v=sets&set=Daily", "#preview-panel[data-state=ready]"],
];

const noSidewaysScroll = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

beforeAll(async () => {
  metrics = createMetrics({ granularities: { min: "hours", max: "years" } });
  await seed(metrics, NOW);
  const transport = { send: async () => undefined };
  const reports = createReports(metrics, { transport, now: () => NOW - 10 * DAY });
  await reports.createMetricSet({
    name: "Daily",
    metrics: ["signups", "revenue"],
    recipients: ["team@example.org"],
  });
  server = await serve(createApp(metrics, { now: () => NOW, reports: { transport } }), { port: 0 });
  secured = await serve(
    createApp(metrics, { now: () => NOW, auth: { tokens: [{ token: TOKEN, scopes: ["read"] }] } }),
    {
      port: 0,
    },
  );
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await secured?.close();
  await metrics?.dispose();
});

describe("accessibility", () => {
  for (const scheme of ["light", "dark"] as const) {
    for (const [name, hash, ready] of PAGES) {
      it(`${name} (${scheme}): no serious or critical axe violation`, async () => {
        const { page, problems } = await openPage(browser, `${server.url}/${hash}`, { colorScheme: scheme });
        await page.locator(ready).first().waitFor();
        expect(await axeViolations(page)).toEqual([]);
        if (scheme === "dark") {
          const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
          expect(bg).toBe("rgb(13, 17, 23)");
        }
        await page.screenshot({ path: `${ARTIFACTS}/${name}-${scheme}.png`, fullPage: true });
        expect(problems).toEqual([]);
        await page.close();
      });
    }
  }

  it("sign-in form: no serious or critical axe violation, focus starts in the token field", async () => {
    const { page } = await openPage(browser, `${secured.url}/`);
    await page.locator("dialog#signin[open]").waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("signin-token");
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.type(TOKEN);
    await page.keyboard.press("Enter");
    await page.locator("#tiles[data-state=ready]").waitFor();
    await page.close();
  });

  it.each(PAGES)("%s fits a phone screen without sideways scrolling", async (name, hash, ready) => {
    const { page, problems } = await openPage(browser, `${server.url}/${hash}`, {
      viewport: { width: 375, height: 812 },
      isMobile: true,
      hasTouch: true,
    });
    await page.locator(ready).first().waitFor();
    await expect.poll(() => noSidewaysScroll(page)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.screenshot({ path: `${ARTIFACTS}/${name}-phone.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("reaches the views, pickers, categories, slugs and tiles by keyboard", async () => {
    const { page } = await openPage(browser, `${server.url}/#v=overview`);
    await page.locator(".tile[data-drawn]").first().waitFor();
    const reached = new Set<string>();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press("Tab");
      reached.add(
        await page.evaluate(() => {
          const a = document.activeElement as HTMLElement | null;
          if (!a) return "";
          return a.id || `${a.tagName.toLowerCase()}.${a.className.split(" ")[0]}`;
        }),
      );
    }
    for (const id of ["tab-overview", "tab-chart", "tab-sets", "granularity", "range", "refresh", "search"]) {
      expect(reached, id).toContain(id);
    }
    for (const kind of ["button.chip", "button.slug", "button.tile"]) expect(reached, kind).toContain(kind);
    await page.close();
  });
});
