import fc from "fast-check";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/server/index.js";
import { memoryStore } from "../../src/stores/memory/index.js";
import { type Json, NOW, setup } from "./_setup.js";

const DAY = 86_400_000;

/** What the overview must say for `slug`: sums of history over the range and the same number of buckets before. */
async function expected(
  t: ReturnType<typeof setup>,
  slug: string,
  granularity: "days" | "hours",
  span: number,
) {
  const rows = await t.metrics.history(slug, { from: NOW - span, to: NOW, granularity });
  const n = rows.length;
  const first = rows[0]?.start.getTime() ?? NOW;
  const before = await t.metrics.history(slug, {
    from: first - n * (granularity === "days" ? DAY : 3_600_000),
    to: first - 1,
    granularity,
  });
  const counts = rows.map((r) => r.count);
  const previousCounts = before.slice(-n).map((r) => r.count);
  return { counts, previousCounts, starts: rows.map((r) => r.start.toISOString()) };
}

describe("GET /api/v1/overview", () => {
  it("gives one tile per slug of the category, with the range's counts, total and change", async () => {
    const t = setup();
    await t.metrics.recordMany([
      { slug: "a", by: 5, at: NOW - 2 * DAY, category: "web" },
      { slug: "a", by: 10, at: NOW - 10 * DAY, category: "web" },
      { slug: "b", by: 3, at: NOW - DAY, category: "web" },
      { slug: "c", by: 7, at: NOW - DAY, category: "other" },
    ]);
    await t.metrics.createMetric({ slug: "a", name: "Alpha", unit: "clicks" });
    const { status, body } = await t.get("/api/v1/overview?category=web&granularity=days&range=7d");
    expect(status).toBe(200);
    expect(body.count).toBe(2);
    expect(body.timezone).toBe("UTC");
    expect(body.starts).toHaveLength(8);
    const [a, b] = body.tiles as Json[];
    expect(a).toMatchObject({
      slug: "a",
      name: "Alpha",
      unit: "clicks",
      total: 5,
      previousTotal: 10,
      trend: "down",
    });
    expect(a.change).toBeCloseTo(-50);
    expect(b).toMatchObject({
      slug: "b",
      name: null,
      total: 3,
      previousTotal: 0,
      change: null,
      trend: "new",
    });
    for (const tile of body.tiles as Json[]) {
      const e = await expected(t, tile.slug, "days", 7 * DAY);
      expect(tile.counts).toEqual(e.counts);
      expect(tile.previousCounts).toEqual(e.previousCounts);
      expect(body.starts).toEqual(e.starts);
    }
  });

  it("matches history sums and the trend's sign for any events (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            slug: fc.constantFrom("x", "y", "z"),
            by: fc.integer({ min: -50, max: 50 }),
            ago: fc.integer({ min: 0, max: 20 * DAY }),
          }),
          { maxLength: 40 },
        ),
        fc.constantFrom("days" as const, "hours" as const),
        fc.integer({ min: 1, max: 9 }),
        async (events, granularity, days) => {
          const t = setup();
          if (events.length)
            await t.metrics.recordMany(events.map((e) => ({ slug: e.slug, by: e.by, at: NOW - e.ago })));
          const span = days * DAY;
          const { body } = await t.get(
            `/api/v1/overview?granularity=${granularity}&from=${NOW - span}&to=${NOW}`,
          );
          for (const tile of body.tiles as Json[]) {
            const e = await expected(t, tile.slug, granularity, span);
            expect(tile.counts).toEqual(e.counts);
            expect(tile.previousCounts).toEqual(e.previousCounts);
            const total = e.counts.reduce((s, c) => s + c, 0);
            const previous = e.previousCounts.reduce((s, c) => s + c, 0);
            expect([tile.total, tile.previousTotal]).toEqual([total, previous]);
            const trend = previous === 0 ? (total === 0 ? "flat" : "new") : Math.sign(total - previous);
            expect(tile.trend).toBe(
              typeof trend === "string" ? trend : trend > 0 ? "up" : trend < 0 ? "down" : "flat",
            );
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("reads the counts of a whole page with one store readMany() call", async () => {
    const inner = memoryStore();
    const calls: string[] = [];
    const store = new Proxy(inner, {
      get(target, key) {
        const value = Reflect.get(target, key, target) as unknown;
        if (key !== "read" && key !== "readMany") return value;
        return (...args: unknown[]) => {
          calls.push(String(key));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const t = setup({}, { store });
    const slugs = Array.from({ length: 100 }, (_, i) => `p${String(i).padStart(3, "0")}`);
    await t.metrics.recordMany(slugs.map((slug, i) => ({ slug, by: i + 1, at: NOW - DAY })));
    calls.length = 0;
    const { body } = await t.get("/api/v1/overview?granularity=days&range=29d&limit=100");
    expect(body.tiles).toHaveLength(100);
    expect((body.tiles as Json[])[41].total).toBe(42);
    expect(calls).toEqual(["readMany"]);
  });

  it("pages through every slug exactly once, in order", async () => {
    const t = setup();
    const slugs = Array.from({ length: 23 }, (_, i) => `s${String(i).padStart(2, "0")}`);
    await t.metrics.recordMany(slugs.map((slug) => ({ slug, at: NOW - DAY })));
    for (const limit of [1, 5, 7, 23, 500]) {
      const seen: string[] = [];
      for (let offset = 0; offset < 30; offset += limit) {
        const { body } = await t.get(`/api/v1/overview?limit=${limit}&offset=${offset}`);
        expect(body.count).toBe(23);
        seen.push(...(body.tiles as Json[]).map((x) => x.slug));
      }
      expect(seen).toEqual(slugs);
    }
  });

  it("charts named slugs in the order given", async () => {
    const t = setup();
    await t.metrics.recordMany([
      { slug: "b", at: NOW },
      { slug: "a", at: NOW },
    ]);
    const { body } = await t.get("/api/v1/overview?slugs=b,a,never,b&range=2d");
    expect((body.tiles as Json[]).map((x) => [x.slug, x.total])).toEqual([
      ["b", 1],
      ["a", 1],
      ["never", 0],
    ]);
  });

  it.each([
    ["category=bad%20name", "E_INVALID_SLUG"],
    ["slugs=a,%3Cb%3E", "E_INVALID_SLUG"],
    ["category=a&slugs=b", "E_INVALID_REQUEST"],
    ["limit=0", "E_INVALID_REQUEST"],
    ["limit=501", "E_INVALID_REQUEST"],
    ["offset=-1", "E_INVALID_REQUEST"],
    ["granularity=dayz", "E_INVALID_GRANULARITY"],
    ["range=7d&from=1", "E_INVALID_REQUEST"],
    ["from=2000&to=1000", "E_INVALID_RANGE"],
    ["nope=1", "E_INVALID_REQUEST"],
    ["granularity=minutes&range=5y", "E_RANGE_TOO_LARGE"],
  ])("answers %s with a 4xx %s", async (query, code) => {
    const { status, body } = await setup().get(`/api/v1/overview?${query}`);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(body.error.code).toBe(code);
  });

  it("needs the read scope", async () => {
    const t = setup({ auth: { tokens: [{ token: "reader-token-0123456789", scopes: ["read"] }] } });
    expect((await t.get("/api/v1/overview")).status).toBe(401);
    const ok = await t.get("/api/v1/overview", { Authorization: "Bearer reader-token-0123456789" });
    expect(ok.status).toBe(200);
  });
});

describe("dashboard mounted in a parent app", () => {
  it("serves the page at /metrics and /metrics/ with asset URLs that resolve under the mount", async () => {
    const t = setup();
    const parent = new Hono();
    parent.get("/", (c) => c.text("parent home"));
    parent.route("/metrics", createApp(t.metrics, { now: () => NOW }));
    const res = await parent.request("/metrics");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('src="metrics/assets/dashboard.js"');
    const js = await parent.request(new URL("metrics/assets/dashboard.js", "http://h/metrics").pathname);
    expect(js.status).toBe(200);
    expect(await js.text()).toContain('new URL("../", import.meta.url)');
  });
});
