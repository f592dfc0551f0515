import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics, type Metrics } from "../../src/core/index.js";
import { createReports, directoryTransport } from "../../src/reports/index.js";
import { createApp, serve } from "../../src/server/index.js";
import { requestArb, snapshot, TOKEN } from "./_fuzz.js";
import { NOW } from "./_setup.js";

type Generated =
  fc.Arbitrary<ReturnType<typeof requestArb>> extends never
    ? never
    : ReturnType<typeof requestArb> extends fc.Arbitrary<infer T>
      ? T
      : never;

const STACK = /\n\s+at |node_modules|\.[cm]?[jt]s:\d+|\/work\//;
const PROTO_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

function toRequest(r: Generated): Request {
  const body = r.method === "GET" || r.method === "HEAD" ? null : (r.body ?? null);
  return new Request(`http://localhost${r.path}${r.query}`, {
    method: r.method,
    headers: r.headers,
    body: body as BodyInit | null,
  });
}

/** What every answer must satisfy; `healthy` = the store works (then no 5xx at all). */
async function checkAnswer(r: Generated, res: Response, healthy: boolean): Promise<void> {
  const where = `${r.method} ${r.path}${r.query}`;
  if (healthy) expect(res.status, where).toBeLessThan(500);
  else if (res.status >= 500) expect(res.status, where).toBe(503);
  if (res.status < 400 || r.method === "HEAD") return;
  const text = await res.text();
  expect(text, where).not.toMatch(STACK);
  // The report-preview frame is HTML for people inside an iframe: its "expired" answer is text.
  if (r.path.includes("/report-preview/") && res.status === 404) return;
  expect(res.headers.get("Content-Type"), where).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { error: { code: unknown; message: unknown } };
  expect(Object.keys(body), where).toEqual(["error"]);
  expect(Object.keys(body.error).sort(), where).toEqual(["code", "message"]);
  expect(body.error.code, where).toMatch(/^E_[A-Z_]+$/);
  expect(typeof body.error.message, where).toBe("string");
}

/** Fuzz one app: every refused request and every read leaves the store as it was. */
async function fuzz(app: Hono, metrics: Metrics, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(requestArb(app), async (r) => {
      const before = await snapshot(metrics);
      const res = await app.request(toRequest(r));
      await checkAnswer(r, res, true);
      const changes = r.method !== "GET" && r.method !== "HEAD" && res.status < 300;
      if (!changes) expect(await snapshot(metrics), `${r.method} ${r.path} → ${res.status}`).toBe(before);
    }),
    { numRuns },
  );
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTO_KEYS);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

describe("fuzzing every route", () => {
  let outbox: string;
  beforeAll(async () => {
    outbox = await mkdtemp(join(tmpdir(), "tb-fuzz-"));
  });
  afterAll(async () => {
    await rm(outbox, { recursive: true, force: true });
  });

  async function seeded(): Promise<Metrics> {
    const metrics = createMetrics({ now: () => NOW });
    await metrics.record("a", { by: 3, category: "web" });
    await metrics.record("page_views", { by: 5, category: "web" });
    await metrics.setGauge("a", 7);
    await metrics.createMetric({ name: "A", slug: "a" });
    const reports = createReports(metrics, { transport: directoryTransport(outbox) });
    await reports.createMetricSet({
      name: "daily",
      metrics: ["a"],
      recipients: ["t@example.org"],
      schedule: "daily",
    });
    return metrics;
  }

  it("an open app: no 5xx, JSON errors without stacks, refused requests change nothing", async () => {
    const metrics = await seeded();
    const app = createApp(metrics, {
      now: () => NOW,
      maxBodyBytes: 64 * 1024,
      reports: { transport: directoryTransport(outbox) },
    });
    await fuzz(app, metrics, 1000);
  }, 120_000);

  it("an app with tokens: the same, and without a token nothing changes", async () => {
    const metrics = await seeded();
    const app = createApp(metrics, {
      now: () => NOW,
      auth: { tokens: [{ token: TOKEN, scopes: ["read", "write"] }] },
      reports: { transport: directoryTransport(outbox) },
    });
    await fuzz(app, metrics, 600);
  }, 120_000);

  it("an app over a store that is gone answers 503 or 4xx, never another 5xx", async () => {
    const metrics = await seeded();
    const app = createApp(metrics, { now: () => NOW, reports: { transport: directoryTransport(outbox) } });
    await metrics.dispose();
    await fc.assert(
      fc.asyncProperty(requestArb(app), async (r) => {
        await checkAnswer(r, await app.request(toRequest(r)), false);
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});

describe("fuzzing the socket", () => {
  const bytes = (text: string) => Buffer.from(text, "latin1");
  const lineArb = fc.oneof(
    fc.constantFrom("GET", "POST", "PUT", "DELETE", "G\u00e9T", "", "GET GET").chain((method) =>
      fc
        .tuple(
          fc.constantFrom(
            "/",
            "/api/v1/slugs",
            "/api/v1/events",
            "/api/v1/metrics/a",
            "*",
            "http://evil/x",
            "",
          ),
          fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString("latin1")),
          fc.constantFrom("HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1 x", ""),
        )
        .map(([path, junk, version]) => `${method} ${path}${junk} ${version}`),
    ),
    fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString("latin1")),
  );
  const headerArb = fc.array(
    fc.oneof(
      fc.constantFrom(
        "Host: localhost",
        "Host: 127.0.0.1:1",
        "Host: evil.example",
        "Host:",
        "Content-Type: application/json",
        "Content-Length: 5",
        "Content-Length: -1",
        "Content-Length: 99999999999999999999",
        "Transfer-Encoding: chunked",
        "Transfer-Encoding: chunked, identity",
        `X-Big: ${"a".repeat(20_000)}`,
      ),
      fc.uint8Array({ maxLength: 30 }).map((b) => `X-${Buffer.from(b).toString("latin1")}`),
    ),
    { maxLength: 4 },
  );

  it("answers every byte sequence with a JSON error or a success, never a 5xx or a stack", async () => {
    const metrics = createMetrics({ now: () => NOW });
    const server = await serve(createApp(metrics, { now: () => NOW }), { port: 0 });
    try {
      await fc.assert(
        fc.asyncProperty(lineArb, headerArb, fc.string({ maxLength: 30 }), async (line, headers, body) => {
          const reply = await exchange(
            server.port,
            bytes(`${line}\r\n${headers.join("\r\n")}\r\n\r\n${body}`),
          );
          if (reply === "") return; // closed without an answer (e.g. an incomplete request at close)
          const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1]);
          expect(status, reply.slice(0, 200)).toBeGreaterThanOrEqual(100);
          expect(status, reply.slice(0, 200)).toBeLessThan(500);
          expect(reply).not.toMatch(STACK);
          if (status >= 400) {
            // The first response only: trailing bytes may have drawn a second one.
            const [head = "", rest = ""] = reply.split("\r\n\r\n", 2);
            const length = Number(/content-length: (\d+)/i.exec(head)?.[1]);
            expect(head, head).toMatch(/content-type: application\/json/i);
            expect(length, head).toBeGreaterThan(0);
            expect(JSON.parse(rest.slice(0, length))).toMatchObject({ error: { code: expect.any(String) } });
          }
        }),
        { numRuns: 200 },
      );
    } finally {
      await server.close();
    }
  }, 120_000);
});

/** Write raw bytes, half-close, and collect everything the server sends back until it closes (or 5 s pass). */
function exchange(port: number, request: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(request));
    const chunks: Buffer[] = [];
    const done = () => resolve(Buffer.concat(chunks).toString("latin1"));
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("close", done);
    socket.on("error", done);
    socket.setTimeout(5_000, () => socket.destroy());
  });
}
