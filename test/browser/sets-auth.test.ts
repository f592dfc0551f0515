import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics, type Metrics } from "../../src/core/index.js";
import { createReports, type ReportMessage } from "../../src/reports/index.js";
import { createApp, type ServerHandle, serve } from "../../src/server/index.js";
import { DAY, launch, openPage, seed } from "./_harness.js";

const NOW = Math.floor(Date.now() / 60_000) * 60_000;
const READ = "reader-token-0123456789abcdef";
const WRITE = "writer-token-0123456789abcdef";

let browser: Browser;
let metrics: Metrics;
let open: ServerHandle;
let secured: ServerHandle;
const sent: ReportMessage[] = [];
const SET = 'Daily "overview" <b>';

async function signIn(page: Page, token: string) {
  const dialog = page.locator("dialog#signin");
  await dialog.waitFor();
  await page.locator("#signin-token").fill(token);
  await page.locator("#signin-form button[type=submit]").click();
}

beforeAll(async () => {
  metrics = createMetrics({ granularities: { min: "hours", max: "years" } });
  await seed(metrics, NOW);
  const transport = { send: async (m: ReportMessage) => void sent.push(m) };
  const reports = createReports(metrics, { transport, now: () => NOW - 10 * DAY });
  await reports.createMetricSet({
    name: SET,
    metrics: ["signups", "page_views"],
    recipients: ["team@example.org"],
  });
  await reports.createMetricSet({
    name: "Weekly",
    metrics: ["logins"],
    recipients: ["a@example.org"],
    schedule: "weekly",
  });
  const options = { now: () => NOW, reports: { transport } };
  open = await serve(createApp(metrics, options), { port: 0 });
  secured = await serve(
    createApp(metrics, {
      ...options,
      auth: {
        tokens: [
          { token: READ, scopes: ["read"] },
          { token: WRITE, scopes: ["read", "write"] },
        ],
      },
    }),
    { port: 0 },
  );
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await open?.close();
  await secured?.close();
  await metrics?.dispose();
});

describe("metric sets page", () => {
  it("lists every set and previews exactly the HTML that is mailed", async () => {
    const { page, problems } = await openPage(browser, `${open.url}/#v=sets`);
    await page.locator("#sets-view[data-state=ready]").waitFor();
    const rows = await page.$$eval("#sets tbody tr", (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll("th, td"), (c) => c.textContent)),
    );
    expect(rows.map((r) => r.slice(0, 4))).toEqual([
      [SET, "signups, page_views", "team@example.org", "daily"],
      ["Weekly", "logins", "a@example.org", "weekly"],
    ]);
    const frameBody = page.waitForResponse((r) => r.url().includes("/report-preview/"));
    await page.locator("#sets tbody tr", { hasText: "Weekly" }).getByRole("button").click();
    await page.locator("#preview-panel[data-state=ready]").waitFor();
    const html = await (await frameBody).text();
    expect(page.url()).toContain("set=Weekly");
    sent.length = 0;
    await page.locator("#send-now").click();
    await expect.poll(() => page.locator("#send-status").textContent()).toMatch(/^Sent weekly:/);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.html).toBe(html);
    expect(sent[0]?.to).toEqual(["a@example.org"]);
    expect(await page.locator("#preview-frame").getAttribute("sandbox")).toBe("");
    const frame = page.frames().find((f) => f.url().includes("/report-preview/"));
    expect(await frame?.locator("body").textContent()).toContain("logins");
    expect(problems).toEqual([]);
    await page.close();
  });
});

describe("tokens", () => {
  it("asks with a form (never window.prompt) on 401, takes another token after a wrong one, keeps it for the tab only", async () => {
    const { page, problems } = await openPage(browser, `${secured.url}/`);
    await expect.poll(() => page.locator("#signin-message").textContent()).toContain("needs an access token");
    await signIn(page, "wrong-token-000000000000");
    await expect.poll(() => page.locator("#signin-message").textContent()).toContain("not accepted");
    await signIn(page, READ);
    await page.locator("#tiles[data-state=ready]").waitFor();
    expect(await page.locator("#tiles .tile").count()).toBe(4);
    expect(await page.locator("dialog#signin").isVisible()).toBe(false);
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem("tallyboard.token"),
      local: localStorage.length,
      cookies: document.cookie,
    }));
    expect(stored).toEqual({ session: READ, local: 0, cookies: "" });
    expect(problems.filter((p) => !p.includes("401"))).toEqual([]);
    expect(problems.some((p) => p.startsWith("dialog"))).toBe(false);
    await page.close();
  });

  it("asks again after a 403, for a token with the missing scope", async () => {
    const { page } = await openPage(browser, `${secured.url}/?token=${READ}#v=sets&set=Weekly`);
    expect(page.url()).not.toContain(READ);
    await page.locator("#preview-panel[data-state=ready]").waitFor();
    sent.length = 0;
    await page.locator("#send-now").click();
    await expect
      .poll(() => page.locator("#signin-message").textContent())
      .toContain('lacks the "write" scope');
    await signIn(page, WRITE);
    await expect.poll(() => page.locator("#send-status").textContent()).toMatch(/^Sent /);
    expect(sent).toHaveLength(1);
    await page.close();
  });

  it("asks again when the token has only the write scope", async () => {
    const writeOnly = "write-only-token-0123456789ab";
    const s = await serve(
      createApp(metrics, {
        now: () => NOW,
        auth: {
          tokens: [
            { token: writeOnly, scopes: ["write"] },
            { token: READ, scopes: ["read"] },
          ],
        },
      }),
      { port: 0 },
    );
    try {
      const { page } = await openPage(browser, `${s.url}/?token=${writeOnly}`);
      await expect
        .poll(() => page.locator("#signin-message").textContent())
        .toContain('lacks the "read" scope');
      await signIn(page, READ);
      await page.locator("#tiles[data-state=ready]").waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem("tallyboard.token"))).toBe(READ);
      await page.close();
    } finally {
      await s.close();
    }
  });

  it("can be cancelled, then signed in from the header", async () => {
    const { page } = await openPage(browser, `${secured.url}/`);
    await page.locator("dialog#signin").waitFor();
    await page.locator("#signin-cancel").click();
    await page.locator("#signin-open").waitFor();
    await page.locator("#signin-open").click();
    await signIn(page, READ);
    await page.locator("#tiles[data-state=ready]").waitFor();
    await page.close();
  });
});
