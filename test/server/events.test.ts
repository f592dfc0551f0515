import { describe, expect, it } from "vitest";
import { NOW, setup } from "./_setup.js";

const at = "2024-03-15T10:20:00Z";

describe("POST /api/v1/events", () => {
  it("records one event object and answers 202 with the count accepted", async () => {
    const t = setup();
    const res = await t.send("/api/v1/events", { slug: "page_views" });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 1 });
    expect(await t.metrics.total("page_views")).toBe(1);
  });

  it("records a batch with by, at, category and group", async () => {
    const t = setup();
    const res = await t.send("/api/v1/events", [
      { slug: "signups", by: 5, at, category: "activity", group: "web" },
      { slug: "signups", by: 2, at: Date.parse(at) },
      { slug: "logins", at, category: "activity" },
    ]);
    expect(res).toMatchObject({ status: 202, body: { accepted: 3 } });
    const rows = await t.metrics.history("signups", { from: at, to: at, granularity: "hours" });
    expect(rows).toEqual([{ start: new Date("2024-03-15T10:00:00Z"), count: 7 }]);
    expect(await t.metrics.categorySlugs("activity")).toEqual(["logins", "signups"]);
    expect(await t.metrics.groupSlugs("web")).toEqual(["signups"]);
  });

  it("writes nothing when one event of the batch is invalid", async () => {
    const t = setup();
    const res = await t.send("/api/v1/events", [{ slug: "good" }, { slug: "bad slug" }]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("E_INVALID_SLUG");
    expect(res.body.error.message).toContain('"bad slug"');
    expect(await t.metrics.slugs()).toEqual([]);
  });

  it.each([
    [[{ slug: "a" }, { slug: "b", count: 3 }], "E_INVALID_REQUEST", "events[1]"],
    [[{ slug: "a", by: "5" }], "E_INVALID_REQUEST", "events[0].by"],
    [{ slug: 7 }, "E_INVALID_REQUEST", "slug"],
    [{ slug: "a", at: true }, "E_INVALID_REQUEST", "at"],
    ["nope", "E_INVALID_REQUEST", "body"],
    [[], "E_INVALID_REQUEST", "empty"],
    [{ slug: "a", by: 1.5 }, "E_INVALID_COUNT", "1.5"],
    [{ slug: "a", at: "yesterday" }, "E_INVALID_DATE", "yesterday"],
    [{ slug: "a", category: "no/slash" }, "E_INVALID_SLUG", "no/slash"],
  ])("rejects %j with 400 %s naming %s", async (body, code, named) => {
    const t = setup();
    const res = await t.send("/api/v1/events", body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toContain(named);
    expect(await t.metrics.slugs()).toEqual([]);
  });

  it("rejects a body that is not JSON with 400", async () => {
    const res = await setup().send("/api/v1/events", "{ slug: ");
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: "E_INVALID_REQUEST", message: "The body is not valid JSON" });
  });

  it("rejects a body not declared as JSON with 415 (keeps cross-site form posts out)", async () => {
    const t = setup();
    for (const type of ["text/plain", "application/x-www-form-urlencoded", ""]) {
      const res = await t.send("/api/v1/events", { slug: "a" }, { headers: { "Content-Type": type } });
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe("E_UNSUPPORTED_MEDIA_TYPE");
    }
    expect(await t.metrics.slugs()).toEqual([]);
  });

  it("rejects more than maxEvents events with 413", async () => {
    const t = setup({ maxEvents: 5 });
    const ok = await t.send(
      "/api/v1/events",
      Array.from({ length: 5 }, () => ({ slug: "a" })),
    );
    expect(ok.status).toBe(202);
    const res = await t.send(
      "/api/v1/events",
      Array.from({ length: 6 }, () => ({ slug: "a" })),
    );
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("E_PAYLOAD_TOO_LARGE");
    expect(res.body.error.message).toContain("6");
    expect(await t.metrics.total("a")).toBe(5);
  });

  it("rejects a body over maxBodyBytes with 413 JSON", async () => {
    const t = setup({ maxBodyBytes: 1000 });
    const events = Array.from({ length: 100 }, () => ({ slug: "page_views" }));
    const res = await t.send("/api/v1/events", events);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe("E_PAYLOAD_TOO_LARGE");
    expect(res.res.headers.get("Content-Security-Policy")).toContain("default-src 'self'");
    expect(await t.metrics.slugs()).toEqual([]);
  });

  it("uses the metrics clock when at is omitted", async () => {
    const t = setup();
    await t.send("/api/v1/events", { slug: "a", by: 4 });
    const rows = await t.metrics.history("a", { from: NOW, to: NOW, granularity: "hours" });
    expect(rows[0]?.count).toBe(4);
  });
});

describe("PUT /api/v1/gauges/:slug", () => {
  it("sets a gauge that GET /gauges and /gauges/:slug return", async () => {
    const t = setup();
    const put = await t.send("/api/v1/gauges/queue_depth", { value: 17.5 }, { method: "PUT" });
    expect(put).toMatchObject({ status: 200, body: { slug: "queue_depth", value: 17.5 } });
    expect((await t.get("/api/v1/gauges/queue_depth")).body).toEqual({ slug: "queue_depth", value: 17.5 });
    expect((await t.get("/api/v1/gauges")).body).toEqual({ gauges: [{ slug: "queue_depth", value: 17.5 }] });
  });

  it("rejects a missing or non-numeric value and a bad slug", async () => {
    const t = setup();
    for (const body of [{}, { value: "3" }, { value: 1, extra: true }]) {
      const res = await t.send("/api/v1/gauges/q", body, { method: "PUT" });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("E_INVALID_REQUEST");
    }
    const bad = await t.send("/api/v1/gauges/a%20b", { value: 1 }, { method: "PUT" });
    expect(bad.body.error.code).toBe("E_INVALID_SLUG");
    expect(await t.metrics.gauges()).toEqual([]);
  });

  it("answers 422 E_TOO_MANY_SLUGS for a new gauge past maxSlugs, and still updates known ones", async () => {
    const t = setup({}, { maxSlugs: 3 });
    for (const slug of ["a", "b", "c"]) {
      expect((await t.send(`/api/v1/gauges/${slug}`, { value: 1 }, { method: "PUT" })).status).toBe(200);
    }
    const refused = await t.send("/api/v1/gauges/d", { value: 1 }, { method: "PUT" });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe("E_TOO_MANY_SLUGS");
    expect((await t.send("/api/v1/gauges/a", { value: 9 }, { method: "PUT" })).status).toBe(200);
    expect((await t.metrics.gauges()).map((g) => [g.slug, g.value])).toEqual([
      ["a", 9],
      ["b", 1],
      ["c", 1],
    ]);
  });
});
