import { readdir, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dropPrefix, SHARED_URL } from "../stores/redis-helpers.js";
import { cli, startServer, tempDir } from "./_cli.js";

interface Row {
  start: string;
  count: number;
}

async function getJson<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const response = await fetch(url, { headers });
  expect(response.status, url).toBe(200);
  return (await response.json()) as T;
}

/** Sum of a slug's yearly buckets over the demo period (from the HTTP API). */
async function totalOf(base: string, slug: string): Promise<number> {
  const from = new Date(Date.now() - 400 * 86_400_000).toISOString();
  const to = new Date().toISOString();
  const body = await getJson<unknown>(
    `${base}/api/v1/metrics/${slug}?granularity=years&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
  );
  const rows: Row[] = (body as { rows: Row[] }).rows;
  return rows.reduce((sum, r) => sum + r.count, 0);
}

/** The `.eml` files in `dir` (none when it does not exist yet). */
async function emlFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith(".eml"));
}

/** Wait up to `timeoutMs` for the first `.eml` file in `dir` and return its text. */
async function firstEml(dir: string, timeoutMs: number): Promise<string> {
  for (let waited = 0; waited < timeoutMs; waited += 250) {
    const [name] = await emlFiles(dir);
    if (name) return readFile(join(dir, name), "utf8");
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`no .eml file in ${dir} after ${timeoutMs} ms`);
}

/** `tallyboard start`: serves, seeds demo data once, shuts down cleanly on SIGTERM/SIGINT. */
export function startTests(): void {
  describe("start", () => {
    let dir: Awaited<ReturnType<typeof tempDir>>;
    beforeAll(async () => {
      dir = await tempDir("start");
    });
    afterAll(() => dir.remove());

    it("start --port 0 --demo serves healthz and demo metrics, and exits 0 on SIGTERM", async () => {
      const store = `pglite:${dir.path}/demo`;
      const server = await startServer(["--store", store, "start", "--port", "0", "--demo"], {
        timeoutMs: 120_000,
      });
      let total = 0;
      try {
        expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const health = await fetch(`${server.url}/api/v1/healthz`);
        expect(health.status).toBe(200);
        const slugs = await getJson<unknown>(`${server.url}/api/v1/slugs`);
        expect(JSON.stringify(slugs)).toContain("page_views");
        const categories = JSON.stringify(await getJson<unknown>(`${server.url}/api/v1/categories`));
        for (const c of ["activity", "commerce", "system"]) expect(categories).toContain(c);
        const definitions = await getJson<{ definitions: { slug: string; name: string; unit?: string }[] }>(
          `${server.url}/api/v1/definitions`,
        );
        expect(definitions.definitions).toContainEqual(
          expect.objectContaining({ slug: "page_views", name: "Page views", unit: "views" }),
        );
        const gauges = await getJson<{ gauges: { slug: string; value: number }[] }>(
          `${server.url}/api/v1/gauges`,
        );
        expect(gauges.gauges.map((g) => g.slug)).toEqual(["active_users", "disk_used_gb", "queue_depth"]);
        total = await totalOf(server.url, "page_views");
        expect(total).toBeGreaterThan(100_000);
        const page = await fetch(`${server.url}/`);
        expect(page.status).toBe(200);
        // The demo metric set is reported at startup (yesterday is its last closed day).
        const eml = (await firstEml(join(dir.path, "demo", "outbox"), 60_000)).replace(/(?<!\?)=\r?\n/g, "");
        expect(eml).toContain("Daily overview");
        expect(eml).toMatch(/^To: team@example\.org/m);
        expect(eml).toContain("Page views (views)");
        expect(eml).toContain("API errors (errors)");
        // PGlite is single-process: a second process on the same directory is refused, not corrupting it.
        const second = await cli(["--store", store, "slugs"]);
        expect(second.code).toBe(1);
        expect(second.stderr).toMatch(
          new RegExp(`^error: The PGlite store .* is in use by process ${server.child.pid}`),
        );
      } finally {
        const end = await server.stop("SIGTERM");
        expect(end.code, end.stderr).toBe(0);
        expect(end.stderr).toContain("demo data: ");
        expect(end.stderr).toContain("SIGTERM: shutting down");
        expect(end.stdout).toMatch(
          /^report sent "Daily overview" daily:\d{4}-\d{2}-\d{2} to team@example\.org$/m,
        );
      }

      // A second --demo on the same store does not seed again (counts unchanged).
      const again = await startServer(["--store", store, "start", "--port", "0", "--demo"], {
        timeoutMs: 120_000,
      });
      try {
        expect(await totalOf(again.url, "page_views")).toBe(total);
      } finally {
        const end = await again.stop("SIGINT");
        expect(end.code, end.stderr).toBe(0);
        expect(end.stderr).toContain("already present");
        // The set exists and its report for that day went out already: nothing new is sent.
        expect(end.stderr).not.toContain('metric set "Daily overview"');
        expect(end.stdout).not.toContain("report sent");
        expect(await emlFiles(join(dir.path, "demo", "outbox"))).toHaveLength(1);
      }
    });

    it("start --queue shows the depth of a queue-capture queue in /healthz", async () => {
      const prefix = `tbq${process.pid}x${Date.now().toString(36)}`;
      const server = await startServer(
        [
          "--store",
          "memory:",
          "start",
          "--port",
          "0",
          "--no-reports",
          "--queue",
          SHARED_URL,
          "--queue-prefix",
          prefix,
        ],
        { timeoutMs: 60_000 },
      );
      try {
        const health = await getJson<Record<string, unknown>>(`${server.url}/api/v1/healthz`);
        expect(health).toMatchObject({
          ok: true,
          store: "memory",
          capture: { mode: "direct" },
          queue: { waiting: 0, active: 0, delayed: 0, failed: 0 },
        });
      } finally {
        const end = await server.stop("SIGTERM");
        const client = new Redis(SHARED_URL);
        await dropPrefix(client, prefix); // BullMQ keeps the queue's meta key
        client.disconnect();
        expect(end.code, end.stderr).toBe(0);
      }
    });

    it("the dashboard's Send now mails a set's report through the scheduler's transport", async () => {
      const outbox = join(dir.path, "send-now");
      const server = await startServer(
        ["--store", "memory:", "start", "--port", "0", "--demo", "--outbox", outbox],
        { timeoutMs: 120_000 },
      );
      try {
        const url = `${server.url}/api/v1/sets/${encodeURIComponent("Daily overview")}/send`;
        let status = 0;
        for (let waited = 0; status !== 200 && waited < 30_000; waited += 250) {
          status = (await fetch(url, { method: "POST" })).status; // 502 until the transport is open
          if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
        }
        expect(status).toBe(200);
        // One on demand, one from the scheduler (the demo set's last day is due at start).
        for (let waited = 0; (await emlFiles(outbox)).length < 2 && waited < 30_000; waited += 250) {
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        const files = await emlFiles(outbox);
        expect(files).toHaveLength(2);
        for (const name of files)
          expect(await readFile(join(outbox, name), "utf8")).toMatch(/^To: team@example\.org/m);
      } finally {
        const end = await server.stop("SIGTERM");
        expect(end.code, end.stderr).toBe(0);
      }
    });

    it("TALLYBOARD_TOKENS turns on bearer auth", async () => {
      const server = await startServer(["--store", "memory:", "start", "--port", "0"], {
        env: { TALLYBOARD_TOKENS: "reader-token-00001:read;writer-token-00002:read,write" },
      });
      try {
        expect((await fetch(`${server.url}/api/v1/slugs`)).status).toBe(401);
        const ok = await fetch(`${server.url}/api/v1/slugs`, {
          headers: { authorization: "Bearer reader-token-00001" },
        });
        expect(ok.status).toBe(200);
      } finally {
        const end = await server.stop();
        expect(end.code).toBe(0);
      }
    });

    it("start --host 0.0.0.0 --allow-open serves the open API and warns once", async () => {
      const server = await startServer(
        ["--store", "memory:", "start", "--host", "0.0.0.0", "--allow-open", "--port", "0", "--no-reports"],
        { env: {} },
      );
      try {
        const port = new URL(server.url).port;
        expect((await fetch(`http://127.0.0.1:${port}/api/v1/slugs`)).status).toBe(200);
      } finally {
        const end = await server.stop();
        expect(end.code).toBe(0);
        expect(end.stderr.match(/the API is open \(no tokens\)/g)).toHaveLength(1);
      }
    });

    it("a port in use is a runtime error (exit 1) with a hint", async () => {
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
      const address = blocker.address();
      const port = typeof address === "object" && address ? address.port : 0;
      try {
        const r = await cli(["--store", "memory:", "start", "--port", String(port)]);
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`error: 127.0.0.1:${port} is in use`);
        expect(r.stdout).toBe("");
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    });
  });
}
