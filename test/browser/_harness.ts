import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import type { Metrics, RecordEvent } from "../../src/core/index.js";

/** Screenshots go here (gitignored). */
export const ARTIFACTS = "test-artifacts";
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const XSS = `<img src=x onerror="window.__pwned=1">Revenue`;

/** Debian's Chromium, headless. */
export async function launch(): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({
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
}

export interface OpenedPage {
  page: Page;
  /** Console errors and warnings, page errors, dialogs (window.prompt etc.) and requests leaving the server. */
  problems: string[];
}

/** A page in its own context that records anything that should not happen. */
export async function openPage(
  browser: Browser,
  url: string,
  options: BrowserContextOptions = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.type()} ${d.message()}`);
    d.dismiss().catch(() => undefined);
  });
  page.on("request", (r) => {
    if (!/^(blob:|data:)/.test(r.url()) && !r.url().startsWith(`${new URL(url).origin}/`)) {
      problems.push(`external request: ${r.url()}`);
    }
  });
  page.on("close", () => {
    context.close().catch(() => undefined);
  });
  await page.goto(url);
  return { page, problems };
}

let axeSource: Promise<string> | undefined;

/**
 * Serious and critical axe-core violations of the page as it is now. The
 * source is evaluated through the debugging protocol, so the page's CSP stays
 * as strict as in production. The sandboxed report preview (an e-mail) is not
 * entered; its frame element is checked.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  const source = await axeSource;
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<Json> } }).axe;
    type Json = { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] };
    const result = await axe.run(document, { iframes: false, resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => n.target.join(" ")),
    }));
  });
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.targets.slice(0, 5).join(", ")}`);
}

/** Pixels of a canvas that are not transparent (a drawn sparkline has many). */
export function inkOf(page: Page, selector: string): Promise<number[]> {
  return page.$$eval(selector, (canvases) =>
    canvases.map((canvas) => {
      const c = canvas as HTMLCanvasElement;
      const data = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      let ink = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) ink++;
      return ink;
    }),
  );
}

/** 20 days of hourly events in three categories, definitions (one with markup in its name) and gauges. */
export async function seed(metrics: Metrics, now: number): Promise<void> {
  const events: RecordEvent[] = [];
  for (let h = 0; h < 24 * 20; h++) {
    const at = now - h * HOUR;
    const hourOfDay = new Date(at).getUTCHours();
    const wave = Math.round(20 + 15 * Math.sin(((hourOfDay - 6) / 24) * 2 * Math.PI));
    events.push({ slug: "signups", by: wave + (h % 7), at, category: "activity" });
    events.push({ slug: "logins", by: h < 24 * 7 ? 5 : 9, at, category: "activity" });
    events.push({ slug: "page_views", by: wave * 12 + (h % 13), at, category: "web" });
    if (h % 3 === 0 && h < 24 * 7)
      events.push({ slug: "revenue", by: 100 + (h % 50), at, category: "sales" });
  }
  await metrics.recordMany(events);
  await metrics.createMetric({ slug: "signups", name: "User signups", unit: "users" });
  await metrics.createMetric({ slug: "revenue", name: XSS, unit: "EUR" });
  await metrics.setGauge("queue_depth", 42);
  await metrics.setGauge("huge", 1.7e308);
  await metrics.setGauge("active_users", 12_345_678);
}
