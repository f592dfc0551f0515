import { mkdir } from "node:fs/promises";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics, type Metrics } from "../../src/core/index.js";
import { createApp, type ServerHandle, serve } from "../../src/server/index.js";

/** Screenshots go here (gitignored); docs/dashboard.png is a copy of dashboard.png. */
const ARTIFACTS = "test-artifacts";
const HOUR = 3_600_000;
const XSS = `<img src=x onerror="window.__pwned=1">Revenue`;

let browser: Browser;
let metrics: Metrics;
let server: ServerHandle;

/** A page that records console errors, page errors, dialogs and any request that leaves the server. */
async function openPage(url: string) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on("request", (r) => {
    if (!r.url().startsWith(`${new URL(url).origin}/`)) problems.push(`external request: ${r.url()}`);
  });
  await page.goto(url);
  return { page, problems };
}

/** The data a chart card drew, and the API's answer for the same buckets. */
async function drawnAndApi(page: Page, slug: string, granularity: string) {
  const card = page.locator(
    `article.chart[data-slug="${slug}"][data-state="ready"][data-granularity="${granularity}"]`,
  );
  await card.waitFor();
  const x = JSON.parse((await card.getAttribute("data-x")) ?? "[]") as number[];
  const y = JSON.parse((await card.getAttribute("data-y")) ?? "[]") as number[];
  const from = new Date((x[0] ?? 0) * 1000).toISOString();
  const to = new Date((x.at(-1) ?? 0) * 1000).toISOString();
  const res = await fetch(
    `${server.url}/api/v1/metrics/${slug}?granularity=${granularity}&from=${from}&to=${to}`,
  );
  const body = (await res.json()) as { rows: { start: string; count: number }[] };
  return {
    drawn: { x, y },
    api: { x: body.rows.map((r) => Date.parse(r.start) / 1000), y: body.rows.map((r) => r.count) },
  };
}

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  metrics = createMetrics({ granularities: { min: "minutes", max: "years" } });
  const now = Date.now();
  const events = [];
  for (let h = 0; h < 24 * 20; h++) {
    const at = now - h * HOUR;
    const hourOfDay = new Date(at).getUTCHours();
    const wave = Math.round(20 + 15 * Math.sin(((hourOfDay - 6) / 24) * 2 * Math.PI));
    events.push({ slug: "signups", by: wave + (h % 7), at, category: "activity" });
    events.push({ slug: "page_views", by: wave * 12 + (h % 13), at, category: "web" });
    if (h % 3 === 0) events.push({ slug: "revenue", by: 100 + (h % 50), at, category: "sales" });
  }
  await metrics.recordMany(events);
  await metrics.createMetric({ slug: "signups", name: "User signups", unit: "users" });
  await metrics.createMetric({ slug: "revenue", name: XSS, unit: "EUR" });
  await metrics.setGauge("queue_depth", 42);
  await metrics.setGauge("active_users", 1234);
  server = await serve(createApp(metrics), { port: 0 });
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await metrics?.dispose();
});

describe("dashboard", () => {
  it("lists metrics, charts one, switches to days and draws what the API answers", async () => {
    const { page, problems } = await openPage(`${server.url}/`);
    await page.locator('button.slug[data-slug="signups"]').waitFor();
    expect(await page.locator("#categories button").allTextContents()).toEqual([
      "All",
      "activity",
      "sales",
      "web",
    ]);
    expect(await page.locator("#slugs .slug-id").allTextContents()).toEqual([
      "page_views",
      "revenue",
      "signups",
    ]);

    await page.locator("#search").fill("user sign"); // matches the definition name
    expect(await page.locator("#slugs .slug-id").allTextContents()).toEqual(["signups"]);
    await page.locator("#search").fill("");
    await page.locator("#categories button", { hasText: "web" }).click();
    await expect.poll(() => page.locator("#slugs .slug-id").allTextContents()).toEqual(["page_views"]);
    await page.locator("#categories button", { hasText: "All" }).click();

    await page.locator('button.slug[data-slug="signups"]').click();
    const hours = await drawnAndApi(page, "signups", "hours");
    expect(hours.drawn.x.length).toBeGreaterThanOrEqual(169);
    expect(hours.drawn).toEqual(hours.api);
    expect(hours.drawn.y.some((v) => v > 0)).toBe(true);
    const card = page.locator('article.chart[data-slug="signups"]');
    expect(await card.locator("h3").textContent()).toBe("User signups");
    expect(await card.locator("canvas").count()).toBeGreaterThan(0);
    expect((await card.locator("canvas").first().boundingBox())?.width).toBeGreaterThan(200);

    await page.locator("#granularity").selectOption("days");
    const days = await drawnAndApi(page, "signups", "days");
    expect(days.drawn.x.length).toBe(8);
    expect(days.drawn).toEqual(days.api);
    expect(page.url()).toContain("g=days");

    await page.locator('button.slug[data-slug="page_views"]').click();
    const views = await drawnAndApi(page, "page_views", "days");
    expect(views.drawn).toEqual(views.api);

    expect(await page.locator(".gauge .gauge-name").allTextContents()).toEqual([
      "active_users",
      "queue_depth",
    ]);
    expect(await page.locator('.gauge[data-slug="queue_depth"] .gauge-value').textContent()).toBe("42");
    await page.screenshot({ path: `${ARTIFACTS}/dashboard.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("shows free-text definition names as text, never as markup", async () => {
    const { page, problems } = await openPage(`${server.url}/#g=days&r=7d&s=revenue`);
    const card = page.locator('article.chart[data-slug="revenue"][data-state="ready"]');
    await card.waitFor();
    expect(await card.locator("h3").textContent()).toBe(XSS);
    expect(await page.locator('button.slug[data-slug="revenue"] .slug-name').textContent()).toBe(
      `${XSS} (EUR)`,
    );
    expect(await page.locator("img").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.locator("#definitions-panel summary").click();
    expect(await page.locator("#definitions tbody tr").count()).toBe(2);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("fits a phone screen without sideways scrolling", async () => {
    const { page, problems } = await openPage(`${server.url}/#g=hours&r=24h&s=signups`);
    await page.setViewportSize({ width: 375, height: 812 });
    await page.locator('article.chart[data-slug="signups"][data-state="ready"]').waitFor();
    await expect
      .poll(() => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth))
      .toBe(true);
    const box = await page.locator('article.chart[data-slug="signups"] canvas').first().boundingBox();
    expect(box?.width).toBeLessThanOrEqual(375);
    await page.screenshot({ path: `${ARTIFACTS}/dashboard-phone.png`, fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it("refreshes charts as new events arrive", async () => {
    // Seeds span 20 days, well inside 90: the sum changes only by the new events.
    const { page, problems } = await openPage(`${server.url}/#g=days&r=90d&s=signups`);
    const card = page.locator('article.chart[data-slug="signups"][data-state="ready"]');
    await card.waitFor();
    const sum = async () =>
      (JSON.parse((await card.getAttribute("data-y")) ?? "[]") as number[]).reduce((a, b) => a + b, 0);
    const before = await sum();
    await metrics.record("signups", { by: 1000 });
    await page.locator("#refresh").click();
    await expect.poll(sum).toBe(before + 1000);
    await metrics.record("signups", { by: 1000 });
    await expect.poll(sum, { timeout: 15_000 }).toBe(before + 2000); // the 10 s auto-refresh
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe("dashboard with tokens", () => {
  it("takes the token from ?token=, keeps it out of the address bar and reads the API with it", async () => {
    const secured = await serve(
      createApp(metrics, { auth: { tokens: [{ token: "let-me-read-0123456789", scopes: ["read"] }] } }),
      {
        port: 0,
      },
    );
    try {
      const { page, problems } = await openPage(
        `${secured.url}/?token=let-me-read-0123456789#g=days&r=7d&s=signups`,
      );
      await page.locator('article.chart[data-slug="signups"][data-state="ready"]').waitFor();
      expect(page.url()).not.toContain("let-me-read-0123456789");
      expect(await page.evaluate(() => sessionStorage.getItem("tallyboard.token"))).toBe(
        "let-me-read-0123456789",
      );
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await secured.close();
    }
  });

  it("asks for a token once when the API answers 401, then loads the data", async () => {
    const secured = await serve(
      createApp(metrics, { auth: { tokens: [{ token: "asked-for-0123456789", scopes: ["read"] }] } }),
      {
        port: 0,
      },
    );
    try {
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on("dialog", (d) => {
        dialogs.push(d.type());
        void d.accept("asked-for-0123456789");
      });
      await page.goto(`${secured.url}/#g=days&r=7d&s=signups`);
      await page.locator('article.chart[data-slug="signups"][data-state="ready"]').waitFor();
      await page.locator('button.slug[data-slug="signups"]').waitFor();
      expect(dialogs).toEqual(["prompt"]);
      expect(await page.evaluate(() => sessionStorage.getItem("tallyboard.token"))).toBe(
        "asked-for-0123456789",
      );
      await page.close();
    } finally {
      await secured.close();
    }
  });
});
