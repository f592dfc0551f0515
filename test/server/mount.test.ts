import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics, type Metrics } from "../../src/core/index.js";
import { createApp, type ServerHandle, serve, toNodeHandler } from "../../src/server/index.js";

/** The recipes of docs/http-api.md ("Mounting in your own server"), each on a real socket. */
const recipes: Record<string, (metrics: Metrics) => Promise<{ url: string; close(): Promise<void> }>> = {
  async hono(metrics) {
    const parent = new Hono();
    parent.get("/", (c) => c.text("the parent's home"));
    parent.route("/metrics", createApp(metrics));
    const server: ServerHandle = await serve(parent, { port: 0 });
    return server;
  },

  async "express, tallyboard mounted before express.json()"(metrics) {
    const app = express();
    app.use("/metrics", toNodeHandler(createApp(metrics)));
    app.use(express.json());
    app.get("/", (_req, res) => {
      res.send("the parent's home");
    });
    return listen(createServer(app));
  },

  async "express, express.json() before tallyboard (body re-encoded)"(metrics) {
    const app = express();
    app.use(express.json());
    app.use("/metrics", toNodeHandler(createApp(metrics)));
    app.get("/", (_req, res) => {
      res.send("the parent's home");
    });
    return listen(createServer(app));
  },

  async "node:http"(metrics) {
    const tallyboard = toNodeHandler(createApp(metrics, { basePath: "/metrics" }));
    const server = createServer((req, res) => {
      const path = req.url?.split("?")[0] ?? "";
      if (path === "/metrics" || path.startsWith("/metrics/")) return tallyboard(req, res);
      res.end("the parent's home");
    });
    return listen(server);
  },
};

async function listen(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe.each(Object.keys(recipes))("mounted at /metrics with %s", (name) => {
  const metrics = createMetrics();
  let server: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    server = await (recipes[name] as (m: Metrics) => Promise<typeof server>)(metrics);
  });
  afterAll(async () => {
    await server.close();
    await metrics.dispose();
  });

  it.each(["/metrics", "/metrics/"])(
    "serves the dashboard at %s with every asset and the API under the prefix",
    async (path) => {
      const page = await fetch(`${server.url}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get("Content-Type")).toContain("text/html");
      expect(page.headers.get("Content-Security-Policy")).toContain("default-src 'self'");
      const html = await page.text();
      const urls = [...html.matchAll(/(?:href|src)="([^"#]+)"/g)].map(
        (m) => new URL(m[1] as string, page.url),
      );
      expect(urls.length).toBeGreaterThanOrEqual(3);
      for (const url of urls) {
        expect(url.pathname.startsWith("/metrics/"), url.href).toBe(true);
        expect((await fetch(url)).status, url.href).toBe(200);
      }
      // The page's script calls the API relative to itself: ../api/v1/ from assets/.
      const script = urls.find((u) => u.pathname.endsWith("/dashboard.js"));
      expect(script).toBeDefined();
      const health = await fetch(new URL("../api/v1/healthz", script));
      expect(health.status).toBe(200);
    },
  );

  it("records a POST /api/v1/events sent through the parent", async () => {
    const res = await fetch(`${server.url}/metrics/api/v1/events`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify([{ slug: "mounted", by: 3 }, { slug: "mounted" }]),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 2 });
    expect(await metrics.total("mounted")).toBe(4);
    const bad = await fetch(`${server.url}/metrics/api/v1/events`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ slug: "bad slug" }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "E_INVALID_SLUG" } });
  });

  it("reads history through the parent", async () => {
    const res = await fetch(`${server.url}/metrics/api/v1/metrics/mounted?granularity=days&range=2d`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows: { count: number }[] };
    expect(body.rows.reduce((sum, r) => sum + r.count, 0)).toBeGreaterThanOrEqual(0);
  });

  it("leaves the parent's own routes and headers alone", async () => {
    const res = await fetch(`${server.url}/`);
    expect(await res.text()).toBe("the parent's home");
    expect(res.headers.get("Content-Security-Policy")).toBeNull();
    expect(res.headers.get("X-Frame-Options")).toBeNull();
  });
});

describe("toNodeHandler()", () => {
  it("refuses unknown options and checks Host names when given allowedHosts", async () => {
    expect(() => toNodeHandler(createApp(createMetrics()), { allowedHost: ["x"] } as never)).toThrow(
      /did you mean "allowedHosts"/,
    );
    const app = express();
    app.use("/m", toNodeHandler(createApp(createMetrics()), { allowedHosts: ["metrics.test"] }));
    const server = await listen(createServer(app));
    try {
      expect((await fetch(`${server.url}/m/api/v1/healthz`)).status).toBe(421);
    } finally {
      await server.close();
    }
  });

  it("does not turn //host into a protocol-relative redirect", async () => {
    const app = express();
    app.use("/", toNodeHandler(createApp(createMetrics())));
    const server = await listen(createServer(app));
    try {
      const res = await fetch(`${server.url}//evil.example`, { redirect: "manual" });
      const location = res.headers.get("Location");
      if (location !== null) expect(location.startsWith("//")).toBe(false);
    } finally {
      await server.close();
    }
  });
});
