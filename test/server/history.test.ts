import { describe, expect, it } from "vitest";
import { NOW, setup } from "./_setup.js";

const seed = async (t: ReturnType<typeof setup>) => {
  await t.metrics.recordMany([
    { slug: "signups", by: 3, at: "2024-03-15T10:05:00Z", category: "activity" },
    { slug: "signups", by: 4, at: "2024-03-15T11:59:00Z" },
    { slug: "signups", by: 1, at: "2024-03-14T23:00:00Z" },
  ]);
};

describe("GET /api/v1/metrics/:slug", () => {
  it("answers one zero-filled row per bucket between from and to", async () => {
    const t = setup();
    await seed(t);
    const res = await t.get(
      "/api/v1/metrics/signups?from=2024-03-15T09:00:00Z&to=2024-03-15T12:00:00Z&granularity=hours",
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      slug: "signups",
      granularity: "hours",
      timezone: "UTC",
      from: "2024-03-15T09:00:00.000Z",
      to: "2024-03-15T12:00:00.000Z",
      definition: null,
      keptFrom: null,
      rows: [
        { start: "2024-03-15T09:00:00.000Z", count: 0 },
        { start: "2024-03-15T10:00:00.000Z", count: 3 },
        { start: "2024-03-15T11:00:00.000Z", count: 4 },
        { start: "2024-03-15T12:00:00.000Z", count: 0 },
      ],
    });
  });

  it("defaults to days over the last 30 days, accepts aliases and epoch milliseconds", async () => {
    const t = setup();
    await seed(t);
    const res = await t.get("/api/v1/metrics/signups");
    expect(res.body.granularity).toBe("days");
    expect(res.body.to).toBe(new Date(NOW).toISOString());
    expect(res.body.rows).toHaveLength(31);
    expect(res.body.rows.at(-1)).toEqual({ start: "2024-03-15T00:00:00.000Z", count: 7 });
    expect(res.body.rows.at(-2)).toEqual({ start: "2024-03-14T00:00:00.000Z", count: 1 });
    const daily = await t.get(`/api/v1/metrics/signups?granularity=daily&from=${NOW - 86_400_000}&to=${NOW}`);
    expect(daily.body.rows.map((r: { count: number }) => r.count)).toEqual([1, 7]);
  });

  it("takes a range ending at to (default now) instead of from", async () => {
    const t = setup();
    await seed(t);
    const res = await t.get("/api/v1/metrics/signups?granularity=hours&range=6h");
    expect(res.body.from).toBe("2024-03-15T06:34:56.000Z");
    expect(res.body.rows).toHaveLength(7);
    expect(res.body.rows.reduce((s: number, r: { count: number }) => s + r.count, 0)).toBe(7);
  });

  it("includes the definition when the slug has one", async () => {
    const t = setup();
    await t.metrics.createMetric({ slug: "signups", name: "User signups", unit: "users" });
    const res = await t.get("/api/v1/metrics/signups?granularity=years");
    expect(res.body.definition).toEqual({ slug: "signups", name: "User signups", unit: "users" });
    expect(res.body.rows).toHaveLength(11);
  });

  it("reads a slug that was never recorded as zeros", async () => {
    const res = await setup().get("/api/v1/metrics/not_yet?granularity=hours&range=2h");
    expect(res.status).toBe(200);
    expect(res.body.rows.map((r: { count: number }) => r.count)).toEqual([0, 0, 0]);
  });

  it("answers CSV for Accept: text/csv and for format=csv; format=json wins over Accept", async () => {
    const t = setup();
    await seed(t);
    const q = "from=2024-03-14T00:00:00Z&to=2024-03-15T00:00:00Z&granularity=days";
    const expected = "start,count\n2024-03-14T00:00:00.000Z,1\n2024-03-15T00:00:00.000Z,7\n";
    const byAccept = await t.get(`/api/v1/metrics/signups?${q}`, { Accept: "text/csv" });
    expect(byAccept.status).toBe(200);
    expect(byAccept.res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(byAccept.res.headers.get("Content-Disposition")).toBe('attachment; filename="signups-days.csv"');
    expect(byAccept.res.headers.get("Vary")).toBe("Accept");
    expect(byAccept.body).toBe(expected);
    expect((await t.get(`/api/v1/metrics/signups?${q}&format=csv`)).body).toBe(expected);
    const json = await t.get(`/api/v1/metrics/signups?${q}&format=json`, { Accept: "text/csv" });
    expect(json.body.rows).toHaveLength(2);
  });

  it.each([
    ["bad%20slug?granularity=days", "E_INVALID_SLUG", "bad slug"],
    ["a?granularity=fortnights", "E_INVALID_GRANULARITY", "fortnights"],
    ["a?from=2024-03-15&to=2024-03-01", "E_INVALID_RANGE", ""],
    ["a?from=last-tuesday", "E_INVALID_DATE", "last-tuesday"],
    ["a?to=soon", "E_INVALID_DATE", "soon"],
    ["a?range=forever", "E_INVALID_OPTION", "forever"],
    ["a?range=1d&from=2024-01-01", "E_INVALID_REQUEST", "from or range"],
    ["a?granularty=days", "E_INVALID_REQUEST", "granularty"],
    ["a?format=xml", "E_INVALID_REQUEST", "format"],
    ["a?granularity=minutes&range=1y", "E_RANGE_TOO_LARGE", ""],
  ])("/metrics/%s → 400 %s", async (path, code, named) => {
    const res = await setup().get(`/api/v1/metrics/${path}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toContain(named);
  });

  it("reports a granularity the slug never stored", async () => {
    const t = setup();
    await seed(t); // hours..years by default
    const res = await t.get("/api/v1/metrics/signups?granularity=minutes");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("E_GRANULARITY_NOT_RECORDED");
  });
});

describe("listing routes", () => {
  it("lists slugs, categories, groups, definitions and slug details", async () => {
    const t = setup();
    await t.metrics.recordMany([
      { slug: "b.views", category: "web", group: "site" },
      { slug: "a.signups", category: "activity", by: 2 },
      { slug: "c.jobs", category: "activity" },
    ]);
    await t.metrics.createMetric({ slug: "a.signups", name: "Signups", description: "New accounts" });
    expect((await t.get("/api/v1/slugs")).body).toEqual({ slugs: ["a.signups", "b.views", "c.jobs"] });
    expect((await t.get("/api/v1/categories")).body).toEqual({ categories: ["activity", "web"] });
    expect((await t.get("/api/v1/categories/activity/slugs")).body).toEqual({
      category: "activity",
      slugs: ["a.signups", "c.jobs"],
    });
    expect((await t.get("/api/v1/categories/none/slugs")).body).toEqual({ category: "none", slugs: [] });
    expect((await t.get("/api/v1/groups")).body).toEqual({ groups: ["site"] });
    expect((await t.get("/api/v1/groups/site/slugs")).body).toEqual({ group: "site", slugs: ["b.views"] });
    expect((await t.get("/api/v1/definitions")).body).toEqual({
      definitions: [{ slug: "a.signups", name: "Signups", description: "New accounts" }],
    });
    expect((await t.get("/api/v1/slugs/a.signups")).body).toEqual({
      slug: "a.signups",
      granularities: ["hours", "days", "weeks", "months", "years"],
      categories: ["activity"],
      groups: [],
      total: 2,
      definition: { slug: "a.signups", name: "Signups", description: "New accounts" },
    });
  });

  it("answers 404 E_NOT_FOUND for an unknown slug, gauge and route", async () => {
    const t = setup();
    for (const path of ["/api/v1/slugs/nope", "/api/v1/gauges/nope", "/api/v1/nothing", "/favicon.ico"]) {
      const res = await t.get(path);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe("E_NOT_FOUND");
    }
  });

  it("rejects an invalid category name with 400", async () => {
    const res = await setup().get("/api/v1/categories/a%20b/slugs");
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("E_INVALID_SLUG");
  });

  it("reports health with the store kind", async () => {
    const res = await setup().get("/api/v1/healthz");
    expect(res).toMatchObject({ status: 200, body: { ok: true, store: "memory" } });
  });
});
