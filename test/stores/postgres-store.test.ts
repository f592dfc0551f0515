/**
 * Postgres-specific behaviour beyond the shared conformance suite: options,
 * lazy peer dependencies, migrations, client kinds, items mode and aggregate,
 * atomic batches, PGlite directories.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { MetricsError } from "../../src/errors.js";
import { loadOptional } from "../../src/stores/postgres/_db.js";
import { MIGRATIONS, type PostgresStoreOptions, postgresStore } from "../../src/stores/postgres/index.js";
import type { RecordOp, Store } from "../../src/stores/types.js";
import { createCalendar, GRANULARITIES } from "../../src/time/index.js";
import { POSTGRES_URL, serverSchemas } from "./_postgres.js";

const calendar = createCalendar({ timezone: "Europe/Berlin" });
const T0 = Date.UTC(2024, 2, 30, 22, 30);
const op = (slug: string, by: number, at = T0, extra: Partial<RecordOp> = {}): RecordOp => ({
  slug,
  by,
  at,
  buckets: calendar.bucketsAt(at),
  granularities: GRANULARITIES.slice(1),
  ...extra,
});
const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return error instanceof MetricsError ? error.code : `not a MetricsError: ${String(error)}`;
  }
  return undefined;
};

const { admin, fresh } = serverSchemas();

describe("options", () => {
  it("throws E_INVALID_OPTION at once for bad options", () => {
    const bad: unknown[] = [
      undefined,
      {},
      { url: POSTGRES_URL, dataDir: "./x" },
      { url: "mysql://localhost/x" },
      { url: "pglite:" },
      { url: "postgres://[::1" },
      { dataDir: "" },
      { client: {} },
      { url: POSTGRES_URL, schema: "bad-schema" },
      { url: POSTGRES_URL, schema: 'x"; DROP TABLE y; --' },
      { url: POSTGRES_URL, schema: "1abc" },
      { url: POSTGRES_URL, schema: "a".repeat(64) },
      { url: POSTGRES_URL, mode: "raw" },
      { url: POSTGRES_URL, maxConnections: 0 },
    ];
    for (const options of bad) {
      expect(
        codeOf(() => postgresStore(options as PostgresStoreOptions)),
        JSON.stringify(options),
      ).toBe("E_INVALID_OPTION");
    }
  });

  it("does no I/O until used, then reports an unreachable server as E_STORE", async () => {
    const store = postgresStore({ url: "postgres://nobody@127.0.0.1:1/none", schema: "x" });
    const error = await store.slugs().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsError);
    expect((error as MetricsError).code).toBe("E_STORE");
    await store.dispose();
    await store.dispose();
    await expect(store.slugs()).rejects.toMatchObject({ code: "E_DISPOSED" });
  });

  it("names the npm package to install when a peer dependency is missing", async () => {
    const error = await loadOptional("tallyboard-no-such-driver", "A test store").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricsError);
    expect((error as MetricsError).code).toBe("E_MISSING_DEPENDENCY");
    expect((error as MetricsError).message).toContain("npm install tallyboard-no-such-driver");
  });

  it("validates aggregate options before touching the database", async () => {
    const store = postgresStore({ url: "postgres://nobody@127.0.0.1:1/none", mode: "items" });
    for (const batchSize of [0, -1, 1.5, 2_000_000]) {
      await expect(store.aggregate?.({ batchSize })).rejects.toMatchObject({ code: "E_INVALID_OPTION" });
    }
    await store.dispose();
  });
});

describe("migrations", () => {
  it("applies the ordered list once, in a ledger, and quotes mixed-case schemas", async () => {
    const schema = fresh("Mixed");
    const a = postgresStore({ url: POSTGRES_URL, schema });
    const b = postgresStore({ url: POSTGRES_URL, schema });
    await Promise.all([a.attach({ calendar }), b.attach({ calendar })]);
    const ledger = await admin.query(
      `SELECT version, name FROM "${schema}".schema_migrations ORDER BY version`,
    );
    expect(ledger.rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    await a.record(op("x", 2));
    expect(await b.total("x")).toBe(2);
    await Promise.all([a.dispose(), b.dispose()]);
  });
});

describe("clients the caller owns", () => {
  const scenario = async (store: Store) => {
    await store.attach({ calendar });
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.record(op(`c${i % 2}`, 1, T0 + i * 1000))));
    await store.recordBatch([op("c0", 5), op("c1", 5)], { batchId: "b1" });
    await store.deleteMetric("c1");
    return [await store.total("c0"), await store.total("c1"), await store.slugs()];
  };

  it("works on a pg.Pool and leaves it open", async () => {
    const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 3 });
    const store = postgresStore({ client: pool, schema: fresh("pool") });
    expect(await scenario(store)).toEqual([25, 0, ["c0"]]);
    await store.dispose();
    expect((await pool.query("SELECT 1 AS one")).rows[0].one).toBe(1);
    await pool.end();
  });

  it("works on one pg.Client, serialising its transactions, and leaves it open", async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL });
    await client.connect();
    const store = postgresStore({ client, schema: fresh("client"), mode: "items" });
    expect(await scenario(store)).toEqual([25, 0, ["c0"]]);
    const result = await store.aggregate?.();
    expect(result?.items).toBe(21); // 20 records + the batch item of c0
    expect(await store.total("c0")).toBe(25);
    await store.dispose();
    expect((await client.query("SELECT 1 AS one")).rows[0].one).toBe(1);
    await client.end();
  });
});

describe("atomic batches", () => {
  it("writes nothing when one op is invalid or the database rejects the batch", async () => {
    const store = postgresStore({ url: POSTGRES_URL, schema: fresh("atomic") });
    await store.attach({ calendar });
    await expect(store.recordBatch([op("ok", 1), op("ok2", 1.5)])).rejects.toMatchObject({
      code: "E_INVALID_COUNT",
    });
    // A NUL byte passes the store's own checks but Postgres refuses it mid-statement.
    await expect(
      store.recordBatch([op("ok", 1), op("ok3", 1, T0, { category: "a\u0000b" })]),
    ).rejects.toMatchObject({ code: "E_STORE" });
    await expect(store.record(op("ok", 1, T0, { category: "a\u0000b" }))).rejects.toMatchObject({
      code: "E_STORE",
    });
    expect(await store.slugs()).toEqual([]);
    expect(await store.total("ok")).toBe(0);
    await store.dispose();
  });

  it("applies a batch id once even when the same batch is sent twice at the same time", async () => {
    const schema = fresh("batch");
    const a = postgresStore({ url: POSTGRES_URL, schema, mode: "items" });
    const b = postgresStore({ url: POSTGRES_URL, schema, mode: "items" });
    await a.attach({ calendar });
    const batch = [op("once", 3), op("once", 4, T0 + 60_000)];
    await Promise.all([a.recordBatch(batch, { batchId: "x1" }), b.recordBatch(batch, { batchId: "x1" })]);
    expect(await a.total("once")).toBe(7);
    await Promise.all([a.dispose(), b.dispose()]);
  });
});

describe("PGlite directories", () => {
  it("keeps data in a directory across store instances; dispose is idempotent", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tb-pglite-"));
    try {
      const first = postgresStore({ url: `pglite:${dir}` });
      await first.attach({ calendar });
      await first.record(op("kept", 4, T0, { category: "c" }));
      await first.putDefinition({ slug: "kept", name: "Kept", unit: "things" });
      await first.dispose();
      await first.dispose();
      await expect(first.total("kept")).rejects.toMatchObject({ code: "E_DISPOSED" });

      const second = postgresStore({ dataDir: dir });
      await second.attach({ calendar });
      // A second instance on the same directory in one process would corrupt it.
      const third = postgresStore({ url: `pglite:${dir}/` });
      await expect(third.slugs()).rejects.toMatchObject({
        code: "E_STORE_LOCKED",
        message: expect.stringContaining(`in use by process ${process.pid}`),
      });
      await third.dispose();
      expect(await second.total("kept")).toBe(4);
      expect(await second.categorySlugs("c")).toEqual(["kept"]);
      expect(await second.definitions()).toEqual([{ slug: "kept", name: "Kept", unit: "things" }]);
      await expect(second.attach({ calendar: createCalendar({ timezone: "UTC" }) })).rejects.toMatchObject({
        code: "E_INVALID_OPTION",
      });
      await second.dispose();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
