import { connect } from "node:net";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { MetricsError } from "../../src/errors.js";
import { createApp, type ServerHandle, serve } from "../../src/server/index.js";
import { rawRequest } from "./_http.js";

const TOKEN = "a-long-enough-token-1234";
const withTokens = () =>
  createApp(createMetrics(), { auth: { tokens: [{ token: TOKEN, scopes: ["read"] }] } });
const open = () => createApp(createMetrics());

const servers: ServerHandle[] = [];
async function start(...args: Parameters<typeof serve>): Promise<ServerHandle> {
  const server = await serve(...args);
  servers.push(server);
  return server;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function rejection(promise: Promise<unknown>): Promise<MetricsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MetricsError);
  return error as MetricsError;
}

describe("serve() binding", () => {
  it("binds loopback by default", async () => {
    const server = await start(open(), { port: 0 });
    expect(server.hostname).toBe("127.0.0.1");
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('refuses hostname "" and other non-addresses instead of listening on every interface', async () => {
    for (const hostname of ["", " ", "a b", 0, null, ["127.0.0.1"]]) {
      const error = await rejection(serve(open(), { port: 0, hostname: hostname as string }));
      expect(error.code).toBe("E_INVALID_OPTION");
      expect(error.message).toContain("hostname");
    }
  });

  it("refuses a non-loopback address for an app without tokens", async () => {
    for (const hostname of ["0.0.0.0", "::", "192.0.2.1", "example.org"]) {
      const error = await rejection(serve(open(), { port: 0, hostname }));
      expect(error.code).toBe("E_INVALID_OPTION");
      expect(error.message).toMatch(/without tokens.*allowOpen/);
    }
  });

  it("serves a non-loopback address when the app has tokens, answering any Host by default", async () => {
    const server = await start(withTokens(), { port: 0, hostname: "0.0.0.0" });
    const res = await rawRequest(server.port, {
      path: "/api/v1/slugs",
      headers: { Host: "metrics.example.org", Authorization: `Bearer ${TOKEN}` },
    });
    expect(res.status).toBe(200);
  });

  it("serves an open app on a non-loopback address with allowOpen, warning through the logger on each start", async () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m), error: () => {} };
    const app = createApp(createMetrics(), { logger });
    const first = await start(app, { port: 0, hostname: "0.0.0.0", allowOpen: true });
    await first.close();
    await start(app, { port: 0, hostname: "0.0.0.0", allowOpen: true });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/open \(no tokens\) on 0\.0\.0\.0:\d+/);
    // serve()'s own logger wins over the app's.
    const own: string[] = [];
    await start(app, {
      port: 0,
      hostname: "0.0.0.0",
      allowOpen: true,
      logger: { warn: (m) => own.push(m), error: () => {} },
    });
    expect(own).toHaveLength(1);
    expect(warnings).toHaveLength(2);
  });

  it("does not warn on loopback", async () => {
    const warnings: string[] = [];
    const app = createApp(createMetrics(), { logger: { warn: (m) => warnings.push(m), error: () => {} } });
    await start(app, { port: 0, allowOpen: true });
    expect(warnings).toEqual([]);
  });

  it("refuses bad options with E_INVALID_OPTION naming the nearest valid key", async () => {
    const cases: [unknown, RegExp][] = [
      [{ host: "0.0.0.0" }, /"host".*"hostname"/],
      [{ allowopen: true }, /"allowopen".*"allowOpen"/],
      [{ port: -1 }, /port/],
      [{ port: 70000 }, /port/],
      [{ port: 1.5 }, /port/],
      [{ allowOpen: "yes" }, /allowOpen/],
      [{ allowedHosts: [] }, /allowedHosts/],
      [{ allowedHosts: ["http://x"] }, /allowedHosts/],
      [{ allowedHosts: ["x:80"] }, /allowedHosts/],
      [{ headersTimeout: 0 }, /headersTimeout/],
      [{ headersTimeout: 5000, requestTimeout: 1000 }, /requestTimeout/],
      [{ maxConnections: Number.NaN }, /maxConnections/],
      [null, /options object/],
      [[], /options object/],
    ];
    for (const [options, message] of cases) {
      const error = await rejection(serve(open(), options as never));
      expect(error.code).toBe("E_INVALID_OPTION");
      expect(error.message).toMatch(message);
    }
    expect((await rejection(serve({} as never))).code).toBe("E_INVALID_OPTION");
  });
});

describe("serve() Host check (DNS rebinding)", () => {
  it("answers localhost names with any port on loopback and refuses every other name with 421 JSON", async () => {
    const t = createMetrics();
    const server = await start(createApp(t), { port: 0 });
    for (const host of [
      "localhost",
      "LOCALHOST:1",
      "127.0.0.1",
      `127.0.0.1:${server.port}`,
      "[::1]:80",
      "app.localhost",
    ]) {
      const res = await rawRequest(server.port, { path: "/api/v1/slugs", headers: { Host: host } });
      expect(res.status, host).toBe(200);
    }
    for (const host of [
      "evil.example",
      "evil.example:8787",
      "127.0.0.1.evil.example",
      "localhost.evil",
      "[::2]",
    ]) {
      const res = await rawRequest(server.port, {
        method: "POST",
        path: "/api/v1/events",
        headers: { Host: host, "Content-Type": "application/json" },
        body: '{"slug":"rebound"}',
      });
      expect(res.status, host).toBe(421);
      expect(res.json).toMatchObject({ error: { code: "E_HOST_NOT_ALLOWED" } });
    }
    expect(await t.slugs()).toEqual([]);
  });

  it("refuses a request without a Host header, or with a malformed one, with 400", async () => {
    const server = await start(open(), { port: 0 });
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, "127.0.0.1", () =>
        socket.write("GET /api/v1/slugs HTTP/1.0\r\n\r\n"),
      );
      let text = "";
      socket.on("data", (d: Buffer) => {
        text += d.toString();
      });
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.[01] 400/);
    expect(reply).toContain("E_INVALID_REQUEST");
    for (const host of ["a b", "x:y", "[::1", "a/b"]) {
      const res = await rawRequest(server.port, { path: "/api/v1/slugs", headers: { Host: host } });
      expect(res.status, host).toBe(400);
      expect(res.json).toMatchObject({ error: { code: "E_INVALID_REQUEST" } });
    }
  });

  it("answers exactly the configured allowedHosts", async () => {
    const server = await start(open(), { port: 0, allowedHosts: ["metrics.test", ".corp.test"] });
    const status = async (host: string) =>
      (await rawRequest(server.port, { path: "/api/v1/healthz", headers: { Host: host } })).status;
    expect(await status("metrics.test:8787")).toBe(200);
    expect(await status("corp.test")).toBe(200);
    expect(await status("a.b.corp.test")).toBe(200);
    expect(await status("xcorp.test")).toBe(421);
    expect(await status("localhost")).toBe(421);
  });

  it("never answers a Host outside the default list (property)", async () => {
    const server = await start(open(), { port: 0 });
    const label = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
    const host = fc
      .tuple(label, fc.array(label, { maxLength: 3 }))
      .map(([a, rest]) => [a, ...rest].join("."))
      .filter((h) => h !== "localhost" && !h.endsWith(".localhost") && h !== "127.0.0.1");
    await fc.assert(
      fc.asyncProperty(
        host,
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        async (h, p) => {
          const res = await rawRequest(server.port, {
            path: "/api/v1/slugs",
            headers: { Host: p === undefined ? h : `${h}:${p}` },
          });
          expect(res.status).toBe(421);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("serve() limits", () => {
  it("drops a connection that does not finish its headers within headersTimeout", async () => {
    const server = await start(open(), { port: 0, headersTimeout: 200, requestTimeout: 400 });
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(server.port, "127.0.0.1", () =>
        socket.write("GET / HTTP/1.1\r\nHost: localhost\r\n"),
      );
      let text = "";
      socket.on("data", (d: Buffer) => {
        text += d.toString();
      });
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
  }, 30_000);

  it("caps simultaneous connections at maxConnections", async () => {
    const server = await start(open(), { port: 0, maxConnections: 1 });
    const first = connect(server.port, "127.0.0.1");
    await new Promise((r) => first.once("connect", r));
    const second = await new Promise<string>((resolve) => {
      const socket = connect(server.port, "127.0.0.1", () =>
        socket.write("GET /api/v1/healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"),
      );
      let text = "";
      socket.on("data", (d: Buffer) => {
        text += d.toString();
      });
      socket.on("close", () => resolve(text));
      socket.on("error", () => resolve(text));
    });
    expect(second).toBe("");
    first.destroy();
  }, 30_000);
});
