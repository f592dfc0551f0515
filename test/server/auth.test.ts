import { describe, expect, it } from "vitest";
import { MetricsError } from "../../src/errors.js";
import { createApp } from "../../src/server/index.js";
import { setup } from "./_setup.js";

const tokens = [
  { token: "reader-token-0001", scopes: ["read"] as const },
  { token: "writer-token-0001", scopes: ["write"] as const },
  { token: "admin-token-00001", scopes: ["read", "write"] as const },
];
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe("bearer tokens", () => {
  const t = setup({ auth: { tokens } });

  it("answers 401 with WWW-Authenticate without a token or with an unknown one", async () => {
    for (const headers of [
      {},
      bearer("nope"),
      { Authorization: "Basic YTpi" },
      bearer("reader-token-0001-x"),
    ]) {
      const res = await t.get("/api/v1/slugs", headers);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("E_UNAUTHORIZED");
      expect(res.res.headers.get("WWW-Authenticate")).toMatch(/^Bearer realm="tallyboard"/);
    }
  });

  it("lets read tokens GET and not POST", async () => {
    expect((await t.get("/api/v1/slugs", bearer("reader-token-0001"))).status).toBe(200);
    expect((await t.get("/api/v1/slugs", { Authorization: "bearer reader-token-0001" })).status).toBe(200);
    const post = await t.send("/api/v1/events", { slug: "a" }, { headers: bearer("reader-token-0001") });
    expect(post.status).toBe(403);
    expect(post.body.error.code).toBe("E_FORBIDDEN");
    expect(post.res.headers.get("WWW-Authenticate")).toContain('error="insufficient_scope", scope="write"');
    expect(await t.metrics.slugs()).toEqual([]);
  });

  it("lets write tokens POST and PUT but not GET", async () => {
    const post = await t.send("/api/v1/events", { slug: "a" }, { headers: bearer("writer-token-0001") });
    expect(post.status).toBe(202);
    const put = await t.send(
      "/api/v1/gauges/q",
      { value: 2 },
      { method: "PUT", headers: bearer("writer-token-0001") },
    );
    expect(put.status).toBe(200);
    expect((await t.get("/api/v1/metrics/a", bearer("writer-token-0001"))).status).toBe(403);
  });

  it("lets read+write tokens do both", async () => {
    const post = await t.send("/api/v1/events", { slug: "b" }, { headers: bearer("admin-token-00001") });
    expect(post.status).toBe(202);
    expect((await t.get("/api/v1/slugs/b", bearer("admin-token-00001"))).body.total).toBe(1);
  });

  it("checks the token before the body (a 401 never reveals validation details)", async () => {
    const res = await t.send("/api/v1/events", { slug: "bad slug" });
    expect(res.status).toBe(401);
  });

  it("leaves health, the page and its assets open", async () => {
    expect((await t.get("/api/v1/healthz")).status).toBe(200);
    expect((await t.get("/")).status).toBe(200);
    expect((await t.get("/assets/dashboard.js")).status).toBe(200);
  });
});

describe("auth options", () => {
  const metrics = setup().metrics;
  it.each([
    [{ tokens: [] }, "at least one token"],
    [{ tokens: [{ token: "", scopes: ["read"] }] }, "tokens[0].token"],
    [{ tokens: [{ token: "has space", scopes: ["read"] }] }, "tokens[0].token"],
    [{ tokens: [{ token: "fifteen-chars-x", scopes: ["read"] }] }, "at least 16"],
    [{ tokens: [{ token: "a-long-enough-token", scopes: ["admin"] }] }, "tokens[0].scopes"],
    [{ tokens: [{ token: "a-long-enough-token", scopes: [] }] }, "tokens[0].scopes"],
    [
      { tokens: [{ token: "a-long-enough-token", scopes: ["read"], scope: "write" }] },
      'did you mean "scopes"',
    ],
    [{ tokens: [{ token: "a-long-enough-token", scopes: ["read"] }], token: "x" }, 'did you mean "tokens"'],
    [{ tokens: [null] }, "tokens[0]"],
    [
      {
        tokens: [
          { token: "a-long-enough-token", scopes: ["read"] },
          { token: "a-long-enough-token", scopes: ["write"] },
        ],
      },
      "repeats",
    ],
    [null, "auth"],
  ])("createApp throws E_INVALID_OPTION for %j", (auth, named) => {
    // biome-ignore lint/suspicious/noExplicitAny: deliberately malformed options
    const make = () => createApp(metrics, { auth: auth as any });
    expect(make).toThrow(MetricsError);
    expect(make).toThrow(named);
  });
});
