/**
 * Regenerates docs/dashboard.png (light), docs/dashboard-dark.png,
 * docs/dashboard-phone.png and docs/dashboard-sets.png from the demo data:
 *
 *   npm run build && npx tsx test/browser/_screenshots.ts
 *
 * Starts `tallyboard start --demo` on a free port with a temporary PGlite
 * directory, waits for the overview, takes the screenshots in headless
 * Chromium and stops the server by pid. Not a test: nothing is asserted.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContextOptions } from "playwright-core";
import { launch } from "./_harness.js";

async function start(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    ["dist/cli/main.js", "start", "--demo", "--port", "0", "--store", `pglite:${join(dir, "store")}`],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
  );
  child.stderr?.on("data", (b: Buffer) => process.stderr.write(b));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (b: Buffer) => {
      out += b.toString();
      const m = /(http:\/\/\S+?)\/?\s/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once("exit", (code) => reject(new Error(`tallyboard start exited with ${code}: ${out}`)));
  });
  return { child, url };
}

const dir = await mkdtemp(join(tmpdir(), "tallyboard-shots-"));
const { child, url } = await start(dir);
const browser = await launch();
try {
  const shots: [file: string, hash: string, ready: string, options: BrowserContextOptions][] = [
    ["docs/dashboard.png", "#v=overview&g=days&r=30d", ".tile[data-drawn]", { colorScheme: "light" }],
    ["docs/dashboard-dark.png", "#v=overview&g=days&r=30d", ".tile[data-drawn]", { colorScheme: "dark" }],
    [
      "docs/dashboard-phone.png",
      "#v=overview&g=days&r=30d",
      ".tile[data-drawn]",
      { colorScheme: "light", viewport: { width: 390, height: 844 }, isMobile: true, deviceScaleFactor: 2 },
    ],
    [
      "docs/dashboard-chart.png",
      "#v=chart&g=days&r=30d&s=page_views,user_signups",
      "#chart-card[data-state=ready]",
      { colorScheme: "light" },
    ],
    [
      "docs/dashboard-sets.png",
      "#v=sets&set=Daily%20overview",
      "#preview-panel[data-state=ready]",
      { colorScheme: "light" },
    ],
  ];
  for (const [file, hash, ready, options] of shots) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
    const page = await context.newPage();
    await page.goto(`${url}/${hash}`);
    await page.locator(ready).first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: file, fullPage: !file.includes("phone") });
    await context.close();
    process.stdout.write(`wrote ${file}\n`);
  }
} finally {
  await browser.close();
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
  await rm(dir, { recursive: true, force: true });
}
