import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { MetricsError } from "../../src/errors.js";
import { SCRIPTS } from "../../src/stores/redis/_scripts.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { type PrivateRedis, randomPrefix, startRedis } from "./redis-helpers.js";

const H = 3_600_000;
const T0 = Date.UTC(2023, 9, 10, 12, 0);

// A private server: these tests flush its script cache and kill it.
let server: PrivateRedis;
let admin: Redis;
beforeAll(async () => {
  server = await startRedis();
  admin = new Redis(server.url);
});
afterAll(async () => {
  admin?.disconnect();
  await server?.stop();
});

/** Wait until the MONITOR stream has caught up with everything sent before. */
async function settle(monitored: string[][]): Promise<void> {
  const mark = `mark-${Math.random()}`;
  await admin.echo(mark);
  for (let i = 0; i < 200 && !monitored.some((args) => args[1] === mark); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("redis store scripts", () => {
  it("pins every script's SHA1 to the one Redis computes on SCRIPT LOAD", async () => {
    for (const script of Object.values(SCRIPTS)) {
      const loaded = String(await admin.script("LOAD", script.source));
      expect(loaded, script.name).toBe(script.sha);
      expect(createHash("sha1").update(script.source).digest("hex")).toBe(loaded);
    }
    expect(SCRIPTS.read.source.startsWith("#!lua flags=no-writes\n")).toBe(true);
  });

  it("sends exactly one command (EVALSHA) per record once a slug is registered", async () => {
    const m = createMetrics({
      store: redisStore({ url: server.url, prefix: randomPrefix() }),
      now: () => T0,
    });
    const monitor = await new Redis(server.url).monitor();
    const seen: string[][] = [];
    monitor.on("monitor", (_time: string, args: string[], source: string) => {
      if (source !== "lua") seen.push(args);
    });
    try {
      await m.slugs(); // connect and attach first
      await settle(seen);
      seen.length = 0;
      await m.record("rt", { category: "c" }); // first record: registers in the same pipeline
      await settle(seen);
      const first = seen.filter((args) => args[0] !== "echo").map((args) => args[0]?.toLowerCase());
      expect(first[0]).toBe("evalsha");
      expect(first.slice(1).every((name) => name === "sadd")).toBe(true);
      seen.length = 0;
      for (let i = 0; i < 20; i++) await m.record("rt", { at: T0 + i * H, category: "c" });
      await settle(seen);
      const commands = seen.filter((args) => args[0] !== "echo");
      expect(commands).toHaveLength(20);
      expect(commands.every((args) => args[0]?.toLowerCase() === "evalsha")).toBe(true);
      // Every key is declared (meta hash + one chunk per granularity, hours..years),
      // all under the slug's hash tag; then the producer and one string of numbers:
      // by, sequence, floor and the five fields (no registration, no retention).
      const [, , numkeys, ...rest] = commands[0] as string[];
      expect(Number(numkeys)).toBe(6);
      expect(rest.slice(0, 6).every((key) => key.includes("{rt}:"))).toBe(true);
      expect(rest).toHaveLength(6 + 2);
      expect(rest[6]).toMatch(/^q:\d+:\d+:/);
      expect(rest[7]).toMatch(/^1 \d+ \d+( \d+){5}$/);
      seen.length = 0;
      await m.history("rt", { from: T0, to: T0 + 30 * 24 * H, granularity: "hours" });
      await settle(seen);
      expect(seen.filter((args) => args[0] !== "echo").map((args) => args[0]?.toLowerCase())).toEqual([
        "evalsha",
      ]);
      expect(await m.total("rt")).toBe(21);
    } finally {
      monitor.disconnect();
      await m.dispose();
    }
  });

  it("falls back to EVAL after SCRIPT FLUSH and keeps counting", async () => {
    const m = createMetrics({
      store: redisStore({ url: server.url, prefix: randomPrefix() }),
      now: () => T0,
    });
    try {
      await m.record("flushed", { by: 2 });
      await admin.script("FLUSH");
      await m.record("flushed", { by: 3 });
      await admin.script("FLUSH");
      await m.recordMany([{ slug: "flushed", by: 4 }]);
      await admin.script("FLUSH");
      const rows = await m.history("flushed", { from: T0, to: T0, granularity: "hours" });
      expect(rows[0]?.count).toBe(9);
      await admin.script("FLUSH");
      await m.record("new_after_flush"); // registration pipeline path
      expect(await m.slugs()).toEqual(["flushed", "new_after_flush"]);
    } finally {
      await m.dispose();
    }
  });

  it("works with a caller's client in RESP3 reply mapping and leaves it open on dispose", async () => {
    const client = new Redis(server.url, { protocol: 3, replyMapping: "resp3" });
    const m = createMetrics({ store: redisStore({ client, prefix: randomPrefix() }), now: () => T0 });
    try {
      await m.record("r3", { by: 5, category: "k", group: "g" });
      await m.setGauge("r3", 1.5);
      await m.createMetric({ slug: "r3", name: "R3", unit: "ms" });
      expect(await m.slugInfo("r3")).toMatchObject({ categories: ["k"], groups: ["g"] });
      expect(await m.gauges()).toEqual([{ slug: "r3", value: 1.5 }]);
      expect(await m.definitions()).toEqual([{ slug: "r3", name: "R3", unit: "ms" }]);
      expect(await m.slugs()).toEqual(["r3"]);
      expect((await m.history("r3", { from: T0, to: T0, granularity: "days" }))[0]?.count).toBe(5);
      await m.dispose();
      await m.dispose();
      expect(await client.ping()).toBe("PONG");
    } finally {
      client.disconnect();
    }
  });

  it("rejects with E_STORE when Redis is gone, and E_DISPOSED after dispose", async () => {
    const own = await startRedis();
    const store = redisStore({ url: own.url, prefix: randomPrefix(), commandTimeoutMs: 1000 });
    const m = createMetrics({ store, now: () => T0 });
    try {
      await m.record("down");
      await own.stop();
      const error = await m.record("down").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MetricsError);
      expect((error as MetricsError).code).toBe("E_STORE");
      expect((error as MetricsError).cause).toBeDefined();
    } finally {
      await m.dispose();
      await own.stop();
    }
    await expect(store.slugs()).rejects.toMatchObject({ code: "E_DISPOSED" });
  });
});

describe("redisStore options", () => {
  it("throws E_INVALID_OPTION at once for bad options, naming the value", () => {
    const cases: [unknown, RegExp][] = [
      [{ prefix: "has space" }, /has space/],
      [{ prefix: "a{b}" }, /a\{b\}/],
      [{ prefix: "" }, /prefix/],
      [{ url: "http://x" }, /http:\/\/x/],
      [{ url: "redis://x", client: {} }, /either url or client/],
      [{ client: { evalsha: 1 } }, /client/],
      [{ retention: { hours: "ninety days" } }, /ninety days/],
      [{ retention: { hours: -5 } }, /-5/],
      [{ batchTtl: "0s" }, /0s/],
      [{ tll: 5 }, /tll/],
    ];
    for (const [options, message] of cases) {
      let error: unknown;
      try {
        redisStore(options as never);
      } catch (e) {
        error = e;
      }
      expect(error, String(message)).toBeInstanceOf(MetricsError);
      expect((error as MetricsError).code).toBe("E_INVALID_OPTION");
      expect((error as MetricsError).message).toMatch(message);
    }
    expect(() => redisStore({ retention: { fortnights: "1d" } as never })).toThrow(/fortnights/);
  });

  it("says to install ioredis when it cannot be imported", async () => {
    // A copy of src/ outside this package's node_modules, run in a child process.
    const dir = mkdtempSync(join(tmpdir(), "tb-nodep-"));
    try {
      cpSync(fileURLToPath(new URL("../../src", import.meta.url)), join(dir, "src"), { recursive: true });
      writeFileSync(join(dir, "package.json"), '{"type":"module"}');
      writeFileSync(
        join(dir, "probe.ts"),
        `import { redisStore } from "./src/stores/redis/index.ts";
const store = redisStore({ prefix: "x" });
await store.slugs().then(() => console.log("resolved"), (e) => console.log(e.code, e.message));`,
      );
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", tsx, "probe.ts"], {
        cwd: dir,
      });
      expect(stdout).toContain("E_MISSING_DEPENDENCY");
      expect(stdout).toContain("npm i ioredis");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects a bad batch id before any I/O", async () => {
    const store = redisStore({ url: "redis://127.0.0.1:1", prefix: randomPrefix() });
    await expect(store.recordBatch([], { batchId: "" })).rejects.toMatchObject({ code: "E_INVALID_OPTION" });
    await store.dispose();
  });
});
