import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { createApp } from "../../src/server/index.js";
import { setup } from "./_setup.js";

const TOKEN = "a-long-enough-token-1234";

describe("wrong method on a known route", () => {
  const t = setup();

  it.each([
    ["DELETE", "/api/v1/events", "POST"],
    ["GET", "/api/v1/events", "POST"],
    ["POST", "/api/v1/slugs", "GET, HEAD"],
    ["PATCH", "/api/v1/gauges/q", "GET, HEAD, PUT"],
    ["PUT", "/api/v1/metrics/a", "GET, HEAD"],
    ["POST", "/api/v1/healthz", "GET, HEAD"],
    ["DELETE", "/", "GET, HEAD"],
    ["POST", "/assets/dashboard.js", "GET, HEAD"],
  ])("%s %s answers 405 with Allow: %s and a JSON error", async (method, path, allow) => {
    const res = await t.app.request(path, { method });
    expect(res.status).toBe(405);
    expect(res.headers.get("Allow")).toBe(allow);
    expect(await res.json()).toMatchObject({ error: { code: "E_METHOD_NOT_ALLOWED" } });
    expect(res.headers.get("Content-Security-Policy")).toContain("default-src 'self'");
  });

  it("answers HEAD on GET routes and 404 on unknown paths", async () => {
    expect((await t.app.request("/api/v1/slugs", { method: "HEAD" })).status).toBe(200);
    const missing = await t.app.request("/api/v1/nothing", { method: "POST" });
    expect(missing.status).toBe(404);
  });

  it("answers 405 before asking for a token", async () => {
    const app = createApp(createMetrics(), { auth: { tokens: [{ token: TOKEN, scopes: ["read"] }] } });
    const res = await app.request("/api/v1/slugs", { method: "DELETE" });
    expect(res.status).toBe(405);
    expect((await app.request("/api/v1/slugs")).status).toBe(401);
  });
});

describe("inside a parent Hono app", () => {
  it("keeps tallyboard's headers, auth and 405s off the parent's routes, even mounted at /", async () => {
    const parent = new Hono();
    parent.route(
      "/",
      createApp(createMetrics(), { auth: { tokens: [{ token: TOKEN, scopes: ["read"] }] }, dashboard: true }),
    );
    parent.get("/mine", (c) => c.text("mine"));
    parent.get("/api/v1/mine", (c) => c.text("mine too"));
    parent.post("/", (c) => c.text("posted to the parent"));
    for (const path of ["/mine", "/api/v1/mine"]) {
      const res = await parent.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("Content-Security-Policy"), path).toBeNull();
      expect(res.headers.get("X-Frame-Options"), path).toBeNull();
      expect(res.headers.get("Cache-Control"), path).toBeNull();
    }
    const post = await parent.request("/", { method: "POST" });
    expect(await post.text()).toBe("posted to the parent");
    expect(post.headers.get("Content-Security-Policy")).toBeNull();
    // tallyboard's own answers still carry them.
    const own = await parent.request("/api/v1/slugs");
    expect(own.status).toBe(401);
    expect(own.headers.get("Content-Security-Policy")).toContain("default-src 'self'");
    expect((await parent.request("/")).headers.get("Content-Security-Policy")).toContain("default-src");
  });

  it("keeps tallyboard's headers under its prefix only", async () => {
    const parent = new Hono();
    parent.get("/", (c) => c.text("home"));
    parent.route("/metrics", createApp(createMetrics()));
    expect((await parent.request("/")).headers.get("Content-Security-Policy")).toBeNull();
    const res = await parent.request("/metrics/api/v1/slugs");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Security-Policy")).toContain("default-src 'self'");
    const wrong = await parent.request("/metrics/api/v1/slugs", { method: "POST" });
    expect(wrong.status).toBe(405);
    expect(await wrong.json()).toMatchObject({ error: { code: "E_METHOD_NOT_ALLOWED" } });
  });
});
