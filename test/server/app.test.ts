import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { MetricsError } from "../../src/errors.js";
import { createApp, serve } from "../../src/server/index.js";
import { setup } from "./_setup.js";

describe("dashboard assets", () => {
  it("serves a page with only same-origin, relative script and style files", async () => {
    const page = await setup().get("/");
    expect(page.res.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    const html = page.body as string;
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    expect(scripts).toEqual(['<script type="module" src="assets/dashboard.js">']);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html.match(/(?:href|src)="[^"]*"/g)?.every((a) => /="(?:assets\/|#)/.test(a))).toBe(true);
  });

  it("serves the dashboard module, its CSS, uPlot from node_modules and a favicon", async () => {
    const t = setup();
    const types: Record<string, string> = {
      "/assets/dashboard.js": "text/javascript",
      "/assets/dashboard.css": "text/css",
      "/assets/uPlot.esm.js": "text/javascript",
      "/assets/uPlot.min.css": "text/css",
      "/assets/favicon.svg": "image/svg+xml",
    };
    for (const [path, type] of Object.entries(types)) {
      const res = await t.get(path);
      expect(res.status, path).toBe(200);
      expect(res.res.headers.get("Content-Type")).toContain(type);
      expect((res.body as string).length).toBeGreaterThan(100);
    }
    expect((await t.get("/assets/uPlot.esm.js")).body).toContain("export { uPlot as default }");
  });

  it("serves a dashboard module that parses as JavaScript", async () => {
    const js = (await setup().get("/assets/dashboard.js")).body as string;
    const dir = await mkdtemp(join(tmpdir(), "tallyboard-js-"));
    try {
      const file = join(dir, "dashboard.mjs");
      await writeFile(file, js);
      await expect(promisify(execFile)(process.execPath, ["--check", file])).resolves.toBeDefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("can leave the dashboard out", async () => {
    const t = setup({ dashboard: false });
    expect((await t.get("/")).status).toBe(404);
    expect((await t.get("/api/v1/slugs")).status).toBe(200);
  });
});

describe("basePath", () => {
  const t = setup({ basePath: "/tools/metrics" });

  it("moves the page, assets and API under the prefix", async () => {
    expect((await t.get("/tools/metrics/")).res.headers.get("Content-Type")).toContain("text/html");
    expect((await t.get("/tools/metrics/assets/dashboard.js")).status).toBe(200);
    expect((await t.get("/tools/metrics/api/v1/slugs")).body).toEqual({ slugs: [] });
    expect((await t.get("/")).status).toBe(404);
    expect((await t.get("/api/v1/slugs")).status).toBe(404);
  });

  it("serves the page at the prefix with and without a slash, its asset URLs relative to either", async () => {
    const bare = (await t.get("/tools/metrics?x=1")).body as string;
    expect(bare).toContain('<script type="module" src="metrics/assets/dashboard.js">');
    const slash = (await t.get("/tools/metrics/")).body as string;
    expect(slash).toContain('<script type="module" src="assets/dashboard.js">');
    for (const [page, html] of [
      ["/tools/metrics", bare],
      ["/tools/metrics/", slash],
    ] as const) {
      for (const [, ref] of html.matchAll(/(?:href|src)="([^"#][^"]*)"/g)) {
        const url = new URL(ref as string, `http://h${page}`);
        expect((await t.get(url.pathname)).status, `${ref} from ${page}`).toBe(200);
      }
    }
  });

  it.each(["metrics", "/metrics/", "/a b", "/<x>", "//x"])("rejects basePath %j", (basePath) => {
    expect(() => createApp(t.metrics, { basePath })).toThrow(MetricsError);
  });
});

describe("options", () => {
  it.each([
    [{ maxBodyBytes: 0 }, "maxBodyBytes"],
    [{ maxEvents: 1.5 }, "maxEvents"],
  ])("createApp throws E_INVALID_OPTION for %j", (options, named) => {
    expect(() => createApp(setup().metrics, options)).toThrow(named);
  });
});

describe("serve", () => {
  it("binds a free port on loopback, answers over HTTP and closes idempotently", async () => {
    const t = setup();
    const server = await serve(t.app, { port: 0 });
    try {
      expect(server.hostname).toBe("127.0.0.1");
      expect(server.port).toBeGreaterThan(0);
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      const post = await fetch(`${server.url}/api/v1/events`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify([{ slug: "over_http", by: 2 }]),
      });
      expect(post.status).toBe(202);
      expect(await t.metrics.total("over_http")).toBe(2);
      await expect(serve(t.app, { port: server.port })).rejects.toThrow(/EADDRINUSE/);
    } finally {
      await server.close();
      await server.close();
    }
    await expect(fetch(`${server.url}/api/v1/healthz`)).rejects.toThrow();
  });
});
