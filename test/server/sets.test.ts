/**
 * `GET /api/v1/sets` (src/server/_api-sets.ts): the metric sets that `tallyboard sets`
 * manages, as the HTTP API lists them. Mounted here the way `createApp()` mounts read routes.
 */
import { Hono } from "hono";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics, type Metrics } from "../../src/core/index.js";
import { createReports } from "../../src/reports/index.js";
import { setsRoutes } from "../../src/server/_api-sets.js";
import { memoryStore } from "../../src/stores/memory/index.js";

describe("GET /sets", () => {
  let metrics: Metrics | undefined;
  afterEach(() => metrics?.dispose());

  it("lists every set sorted by name with ISO creation times; empty is []", async () => {
    metrics = createMetrics({ store: memoryStore() });
    const api = new Hono().route("/api/v1", new Hono().route("/", setsRoutes({ metrics })));
    expect(await (await api.request("/api/v1/sets")).json()).toEqual({ sets: [] });

    const created = Date.UTC(2026, 0, 2, 3, 4, 5);
    const reports = createReports(metrics, {
      transport: { send: () => Promise.reject(new Error("not sending in this test")) },
      now: () => created,
    });
    await reports.createMetricSet({
      name: "Weekly shop",
      metrics: ["orders"],
      recipients: ["shop@example.org"],
      schedule: "weekly",
    });
    await reports.createMetricSet({
      name: "Daily overview",
      metrics: ["page_views", "api_errors"],
      recipients: ["team@example.org"],
      thresholds: { api_errors: { above: 250 } },
    });
    const response = await api.request("/api/v1/sets");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      sets: [
        {
          name: "Daily overview",
          metrics: ["page_views", "api_errors"],
          recipients: ["team@example.org"],
          schedule: "daily",
          thresholds: { api_errors: { above: 250 } },
          createdAt: "2026-01-02T03:04:05.000Z",
        },
        {
          name: "Weekly shop",
          metrics: ["orders"],
          recipients: ["shop@example.org"],
          schedule: "weekly",
          thresholds: {},
          createdAt: "2026-01-02T03:04:05.000Z",
        },
      ],
    });
  });
});

describe("GET /api/v1/sets through createApp", () => {
  it("is mounted with the read routes and needs the read scope", async () => {
    const { createApp } = await import("../../src/server/index.js");
    const metrics = createMetrics({ store: memoryStore(), now: () => Date.UTC(2026, 0, 2) });
    await createReports(metrics, {
      transport: { send: async () => {} },
      now: () => Date.UTC(2026, 0, 2),
    }).createMetricSet({
      name: "Ops",
      metrics: ["errors"],
      recipients: ["ops@example.org"],
    });
    const app = createApp(metrics, {
      auth: {
        tokens: [
          { token: "reader-token-123", scopes: ["read"] },
          { token: "writer-token-123", scopes: ["write"] },
        ],
      },
    });
    expect((await app.request("/api/v1/sets")).status).toBe(401);
    const forbidden = await app.request("/api/v1/sets", {
      headers: { Authorization: "Bearer writer-token-123" },
    });
    expect(forbidden.status).toBe(403);
    const ok = await app.request("/api/v1/sets", { headers: { Authorization: "Bearer reader-token-123" } });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { sets: { name: string; schedule: string }[] };
    expect(body.sets.map((s) => [s.name, s.schedule])).toEqual([["Ops", "daily"]]);
    await metrics.dispose();
  });
});
