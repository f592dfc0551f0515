import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, tempDir } from "./_cli.js";

const REDIS_URL = "redis://127.0.0.1:6379";
const POSTGRES_URL = process.env.TALLYBOARD_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * The same script on every persistent store: state written by one process is
 * read by the next (record → history/slugs/categories).
 */
function persistenceScript(store: (name: string) => string): void {
  it("record in one process, read in the next", async () => {
    const s = () => ["--store", store("script")];
    const writes = [
      ["record", "signups", "--by", "5", "--at", "2024-03-10T10:15:00Z", "--category", "activity"],
      ["record", "signups", "--by", "2", "--at", "2024-03-10T11:59:59Z", "--group", "web"],
      ["record", "orders", "--at", "2024-03-11T00:00:00Z", "--category", "commerce"],
    ];
    for (const args of writes) {
      const r = await cli([...s(), ...args]);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
    const h = await cli([
      ...s(),
      "history",
      "signups",
      "-g",
      "hours",
      "--from",
      "2024-03-10T10:00Z",
      "--to",
      "2024-03-10T12:00Z",
      "--json",
    ]);
    expect(h.code, h.stderr).toBe(0);
    expect(JSON.parse(h.stdout)).toEqual([
      { start: "2024-03-10T10:00:00.000Z", count: 5 },
      { start: "2024-03-10T11:00:00.000Z", count: 2 },
      { start: "2024-03-10T12:00:00.000Z", count: 0 },
    ]);
    const d = await cli([
      ...s(),
      "history",
      "signups",
      "-g",
      "days",
      "--from",
      "2024-03-09",
      "--to",
      "2024-03-11",
      "--csv",
    ]);
    expect(d.stdout).toBe(
      "start,count\n2024-03-09T00:00:00.000Z,0\n2024-03-10T00:00:00.000Z,7\n2024-03-11T00:00:00.000Z,0\n",
    );
    const slugs = await cli([...s(), "slugs"]);
    expect(slugs.stdout).toBe("orders\nsignups\n");
    const cats = await cli([...s(), "categories", "--slugs", "--json"]);
    expect(JSON.parse(cats.stdout)).toEqual({ activity: ["signups"], commerce: ["orders"] });
    const table = await cli([...s(), "categories", "--slugs"]);
    expect(table.stdout).toBe("activity\n  signups\ncommerce\n  orders\n");
  });

  it("a different --timezone on the same data is a runtime error (exit 1)", async () => {
    const s = () => ["--store", store("tz")];
    await cli([...s(), "record", "tz_probe", "--at", "2024-01-01T00:00Z"]);
    const r = await cli([...s(), "--timezone", "Europe/Berlin", "slugs"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*Europe\/Berlin/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const debug = await cli([...s(), "--timezone", "Europe/Berlin", "--debug", "slugs"]);
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
}

/** Persistence on PGlite, Redis and Postgres, plus `aggregate` on an items-mode store. */
export function storeTests(): void {
  // Sequential: every PGlite process is CPU-bound while it opens the database.
  describe("pglite store (state persists across invocations)", { timeout: 180_000 }, () => {
    let dir: Awaited<ReturnType<typeof tempDir>>;
    beforeAll(async () => {
      dir = await tempDir("pglite");
    });
    afterAll(() => dir.remove());
    persistenceScript((name) => `pglite:${dir.path}/${name}`);

    it("relative pglite directories resolve against the working directory", async () => {
      const r = await cli(["--store", "pglite:./rel", "record", "x"], { cwd: dir.path });
      expect(r.code, r.stderr).toBe(0);
      const again = await cli(["--store", `pglite:${dir.path}/rel`, "slugs"]);
      expect(again.stdout).toBe("x\n");
    });

    it("the default store is pglite:./.tallyboard, and TALLYBOARD_STORE overrides it", async () => {
      const r = await cli(["record", "default_store_probe"], { cwd: dir.path });
      expect(r.code, r.stderr).toBe(0);
      const viaEnv = await cli(["slugs"], { env: { TALLYBOARD_STORE: `pglite:${dir.path}/.tallyboard` } });
      expect(viaEnv.stdout).toBe("default_store_probe\n");
    });

    it("a lock file left by a process that is gone is taken over", async () => {
      const gone = spawnSync(process.execPath, ["-e", ""]).pid;
      const dataDir = join(dir.path, "stale");
      const lockFile = join(dataDir, "tallyboard.lock");
      await mkdir(dataDir, { recursive: true });
      await writeFile(lockFile, `${gone}\n${hostname()}\n`);
      const r = await cli(["--store", `pglite:${dataDir}`, "record", "after_crash"]);
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(lockFile)).toBe(false);
    });

    it("aggregate folds raw items of an items-mode store, then has nothing left", async () => {
      const store = ["--store", `pglite:${dir.path}/items?mode=items`];
      for (const at of ["2024-05-01T10:00Z", "2024-05-01T10:30Z", "2024-05-02T08:00Z"]) {
        const r = await cli([...store, "record", "clicks", "--by", "2", "--at", at]);
        expect(r.code, r.stderr).toBe(0);
      }
      const first = await cli([...store, "aggregate", "--json"]);
      expect(first.code, first.stderr).toBe(0);
      expect(JSON.parse(first.stdout)).toMatchObject({ items: 3, supported: true });
      const second = await cli([...store, "aggregate"]);
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/^aggregated 0 items/);
      const h = await cli([
        ...store,
        "history",
        "clicks",
        "-g",
        "days",
        "--from",
        "2024-05-01",
        "--to",
        "2024-05-02",
        "--json",
      ]);
      expect(JSON.parse(h.stdout).map((r: { count: number }) => r.count)).toEqual([4, 2]);
    });
  });

  describe.concurrent("redis store", () => {
    const prefix = `tbcli${randomBytes(4).toString("hex")}`;
    afterAll(async () => {
      const redis = new Redis(REDIS_URL);
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
        if (keys.length > 0) await redis.unlink(...keys);
        cursor = next;
      } while (cursor !== "0");
      await redis.quit();
    });
    persistenceScript((name) => `${REDIS_URL}/?prefix=${prefix}:${name}`);

    it("an unreachable server is a runtime error (exit 1)", async () => {
      const r = await cli(["--store", "redis://127.0.0.1:1", "slugs"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: .*\(E_STORE\)$/m);
      expect(r.stdout).toBe("");
    });
  });

  describe.concurrent("postgres store", () => {
    const schema = `tbcli_${randomBytes(4).toString("hex")}`;
    afterAll(async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      for (const name of ["script", "tz"])
        await client.query(`DROP SCHEMA IF EXISTS "${schema}_${name}" CASCADE`);
      await client.end();
    });
    persistenceScript((name) => `${POSTGRES_URL}?schema=${schema}_${name}`);

    it("a bad schema name in the URL is a usage error (exit 2)", async () => {
      const r = await cli(["--store", `${POSTGRES_URL}?schema=1bad`, "slugs"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: Invalid schema/);
    });
  });
}
