/**
 * Faults on a real Postgres server: backends of the store killed with
 * pg_terminate_backend in the middle of a statement (migration, record,
 * batch, aggregate, deleteMetric), a server that never answers or hangs up,
 * a statement that runs too long, replies lost on the way back. Each call
 * rejects with E_STORE, the process stays alive (an unheard 'error' event
 * would fail the run), the next call works and totals are exact.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresStore } from "../../src/stores/postgres/index.js";
import type { RecordOp, Store } from "../../src/stores/types.js";
import { createCalendar, GRANULARITIES } from "../../src/time/index.js";
import { deadListener, killMidStatement, replyEatingProxy } from "./_faults.js";
import { POSTGRES_URL, serverSchemas } from "./_postgres.js";

const calendar = createCalendar({ timezone: "UTC" });
const T0 = Date.UTC(2024, 4, 1, 12, 0);
const op = (slug: string, by: number, at = T0): RecordOp => ({
  slug,
  by,
  at,
  buckets: calendar.bucketsAt(at),
  granularities: GRANULARITIES,
});

const { admin, fresh } = serverSchemas();
const blocker = new pg.Client({ connectionString: POSTGRES_URL });
beforeAll(() => blocker.connect());
afterAll(() => blocker.end());

const opened: Store[] = [];
afterAll(async () => {
  for (const s of opened) await s.dispose();
});

function store(tag: string, mode: "rollup" | "items" = "rollup", extra: object = {}) {
  const schema = fresh(tag);
  const applicationName = `tbtest-${tag}-${randomBytes(4).toString("hex")}`;
  const s = postgresStore({ url: POSTGRES_URL, schema, mode, applicationName, maxConnections: 2, ...extra });
  opened.push(s);
  return { s, schema, applicationName };
}

const expectStoreError = (settled: unknown) => {
  expect(settled).toMatchObject({ name: "MetricsError", code: "E_STORE" });
};

describe("pg_terminate_backend mid-statement", { timeout: 120_000 }, () => {
  it("during migration: E_STORE, then the next call migrates and works", async () => {
    const { s, schema, applicationName } = store("kmig");
    const settled = await killMidStatement(
      admin,
      blocker,
      applicationName,
      `SELECT pg_advisory_xact_lock(hashtextextended('tallyboard:migrate:${schema}', 0))`,
      () => s.attach({ calendar }),
    );
    expectStoreError(settled);
    await s.attach({ calendar });
    await s.record(op("after", 2));
    expect(await s.total("after")).toBe(2);
  });

  it("during record: E_STORE, nothing half-written, the next record works", async () => {
    const { s, schema, applicationName } = store("krec");
    await s.attach({ calendar });
    await s.record(op("r", 1));
    const settled = await killMidStatement(
      admin,
      blocker,
      applicationName,
      `LOCK TABLE "${schema}".rollups IN ACCESS EXCLUSIVE MODE`,
      () => s.record(op("r", 5)),
    );
    expectStoreError(settled);
    await s.record(op("r", 1));
    expect(await s.total("r")).toBe(2);
    const hour = calendar.bucketsAt(T0)[1];
    if (!hour) throw new Error("no hour bucket");
    const hours = await s.read({ slug: "r", granularity: "hours", buckets: [hour] });
    expect(hours.counts).toEqual([2]);
  });

  for (const mode of ["rollup", "items"] as const) {
    it(`during recordBatch (${mode}): a batch retried with its id after the kill counts once`, async () => {
      const { s, schema, applicationName } = store(`kbat${mode}`, mode);
      await s.attach({ calendar });
      const batch = [op("b", 3), op("c", 4), op("b", 5, T0 + 3_600_000)];
      const table = mode === "rollup" ? "rollups" : "items";
      const settled = await killMidStatement(
        admin,
        blocker,
        applicationName,
        `LOCK TABLE "${schema}".${table} IN ACCESS EXCLUSIVE MODE`,
        () => s.recordBatch(batch, { batchId: "batch-1" }),
      );
      expectStoreError(settled);
      await s.recordBatch(batch, { batchId: "batch-1" });
      await s.recordBatch(batch, { batchId: "batch-1" });
      expect([await s.total("b"), await s.total("c")]).toEqual([8, 4]);
    });
  }

  it("during aggregate: the batch rolls back whole, the rerun is exact", async () => {
    const { s, schema, applicationName } = store("kagg", "items");
    await s.attach({ calendar });
    const ops = Array.from({ length: 200 }, (_, i) => op(`a${i % 3}`, 1 + (i % 4), T0 + i * 61_000));
    await s.recordBatch(ops);
    const expected = [0, 1, 2].map((k) =>
      ops.filter((o) => o.slug === `a${k}`).reduce((sum, o) => sum + o.by, 0),
    );
    const settled = await killMidStatement(
      admin,
      blocker,
      applicationName,
      `LOCK TABLE "${schema}".rollups IN ACCESS EXCLUSIVE MODE`,
      () => s.aggregate?.({ batchSize: 50 }) ?? Promise.resolve(),
    );
    expectStoreError(settled);
    const { rows } = await admin.query(`SELECT count(*)::int AS n FROM "${schema}".items`);
    expect(rows[0].n).toBe(200);
    expect(await s.aggregate?.()).toMatchObject({ items: 200 });
    expect(await Promise.all([0, 1, 2].map((k) => s.total(`a${k}`)))).toEqual(expected);
    const { rows: left } = await admin.query(
      `SELECT coalesce(sum(count), 0)::int AS n FROM "${schema}".rollups WHERE granularity = 5`,
    );
    expect(left[0].n).toBe(expected.reduce((a, b) => a + b, 0));
  });

  it("during deleteMetric: nothing is deleted, the retry deletes it all", async () => {
    const { s, schema, applicationName } = store("kdel");
    await s.attach({ calendar });
    await s.record(op("gone", 7));
    await s.setGauge("gone", 1);
    const settled = await killMidStatement(
      admin,
      blocker,
      applicationName,
      `LOCK TABLE "${schema}".gauges IN ACCESS EXCLUSIVE MODE`,
      () => s.deleteMetric("gone"),
    );
    expectStoreError(settled);
    expect(await s.total("gone")).toBe(7);
    await s.deleteMetric("gone");
    expect([await s.total("gone"), await s.gauge("gone"), await s.slugs()]).toEqual([0, null, []]);
  });
});

describe("bounded calls", { timeout: 60_000 }, () => {
  for (const mode of ["silent", "close"] as const) {
    it(`a server that accepts and ${mode === "silent" ? "never answers" : "hangs up"}: E_STORE, not a hang`, async () => {
      const listener = await deadListener(mode);
      try {
        const s = postgresStore({
          url: `postgres://u:secret-pw@127.0.0.1:${listener.port}/db`,
          connectTimeoutMs: 300,
        });
        const error = await s.attach({ calendar }).catch((e: unknown) => e);
        expectStoreError(error);
        expect((error as Error).message).not.toContain("secret-pw");
        // Still bounded on the next call, then disposable.
        expectStoreError(await s.total("x").catch((e: unknown) => e));
        await s.dispose();
      } finally {
        await listener.stop();
      }
    });
  }

  it("a statement running past commandTimeoutMs is cancelled with E_STORE; the next call works", async () => {
    const { s, schema } = store("stmt", "rollup", { commandTimeoutMs: 300 });
    await s.attach({ calendar });
    await blocker.query("BEGIN");
    await blocker.query(`LOCK TABLE "${schema}".rollups IN ACCESS EXCLUSIVE MODE`);
    try {
      const error = await s.record(op("slow", 1)).catch((e: unknown) => e);
      expectStoreError(error);
      expect((error as Error).message).toContain("57014");
    } finally {
      await blocker.query("ROLLBACK");
    }
    await s.record(op("slow", 1));
    expect(await s.total("slow")).toBe(1);
  });

  it("replies lost on the way back: E_STORE after the bound; a batch retried with its id counts once", async () => {
    const url = new URL(POSTGRES_URL);
    const proxy = await replyEatingProxy(Number(url.port || 5432));
    url.host = `127.0.0.1:${proxy.port}`;
    const { s } = store("eat", "rollup", { url: url.toString(), commandTimeoutMs: 300 });
    try {
      await s.attach({ calendar });
      proxy.state.swallow = true;
      const error = await s.recordBatch([op("eaten", 2)], { batchId: "e1" }).catch((e: unknown) => e);
      expectStoreError(error);
      proxy.state.swallow = false;
      await s.recordBatch([op("eaten", 2)], { batchId: "e1" });
      expect(await s.total("eaten")).toBe(2);
    } finally {
      await proxy.stop();
    }
  });
});
