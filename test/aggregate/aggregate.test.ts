/**
 * Proofs of the aggregate promises with real concurrency: separate processes
 * against the Postgres server, each in its own schema.
 */
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MIGRATIONS, postgresStore } from "../../src/stores/postgres/index.js";
import type { Store } from "../../src/stores/types.js";
import { createCalendar, GRANULARITIES } from "../../src/time/index.js";
import { dropSchema, POSTGRES_URL, uniqueSchema } from "../stores/_postgres.js";
import { type Expected, emptyExpected, entries, expect1, seedItems, startChild, tables } from "./_harness.js";

const TZ = "Europe/Berlin";
const calendar = createCalendar({ timezone: TZ });
const START = Date.UTC(2024, 2, 20); // items cross the 31 March DST change

describe("aggregate with real concurrency (Postgres server)", () => {
  let admin: pg.Client;
  let schema: string;
  let store: Store;
  const job = (extra: Record<string, unknown>) => ({ url: POSTGRES_URL, schema, timezone: TZ, ...extra });

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
  });
  beforeEach(async () => {
    schema = uniqueSchema("agg");
    store = postgresStore({ url: POSTGRES_URL, schema, mode: "items" });
    await store.attach({ calendar });
    return async () => {
      await store.dispose();
      await dropSchema(schema);
    };
  });

  /** Wait until no session is still working in this schema (a killed child's backend has ended). */
  const orphansGone = () =>
    waitFor(async () => {
      const r = await admin.query(
        `SELECT count(*) AS n FROM pg_stat_activity
         WHERE state <> 'idle' AND pid <> pg_backend_pid() AND query LIKE $1`,
        [`%"${schema}".%`],
      );
      return Number(r.rows[0].n) === 0;
    });

  const expectExact = async (expected: Expected) => {
    const now = await tables(admin, schema);
    expect(now.items).toBe(0);
    expect(entries(now.totals)).toEqual(entries(expected.totals));
    expect(entries(now.rollups)).toEqual(entries(expected.rollups));
  };

  it("two runs in parallel processes over 100k items fold each item exactly once", async () => {
    const expected = emptyExpected();
    await seedItems(store, calendar, 100_000, START, expected);
    const children = [0, 1].map(() =>
      startChild(job({ action: "aggregate", batchSize: 2_000, waitForGo: true })),
    );
    await Promise.all(children.map((c) => c.next("ready")));
    for (const c of children) c.process.send("go");
    const results = await Promise.all(children.map((c) => c.next("result")));
    const exits = await Promise.all(children.map((c) => c.exited));
    expect(exits.map((e) => e.code)).toEqual([0, 0]);
    const folded = results.map((r) => Number(r.items));
    expect(folded.reduce((a, b) => a + b, 0)).toBe(100_000);
    // Both runs took part (SKIP LOCKED hands each its own batches).
    expect(folded.every((n) => n > 0)).toBe(true);
    await expectExact(expected);
  });

  it("a run killed inside its transaction leaves nothing half-written; a rerun is exact", async () => {
    const expected = emptyExpected();
    // One folded item so a rollup row exists that we can hold locked.
    const granularities = GRANULARITIES.slice(1);
    const at0 = START - 86_400_000;
    await store.record({ slug: "s0", by: 1, at: at0, buckets: calendar.bucketsAt(at0), granularities });
    expect1(expected, calendar, "s0", 1, at0, granularities);
    await store.aggregate?.();
    const before = await tables(admin, schema);
    await seedItems(store, calendar, 20_000, START, expected);

    // Hold the year bucket of s0 so the child's upsert blocks after it has claimed every item.
    const blocker = new pg.Client({ connectionString: POSTGRES_URL });
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query(`SELECT 1 FROM "${schema}".rollups WHERE slug = 's0' AND granularity = 5 FOR UPDATE`);
    const child = startChild(job({ action: "aggregate", batchSize: 100_000 }));
    await waitFor(async () => {
      const r = await admin.query(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1`,
        [`%"${schema}".slugs%`],
      );
      return Number(r.rows[0].n) === 1;
    });
    // The claimed items are deleted inside the open transaction:
    const inside = await tables(admin, schema);
    expect(inside.items).toBe(20_000); // other sessions still see them
    child.process.kill("SIGKILL");
    expect((await child.exited).signal).toBe("SIGKILL");
    await blocker.query("ROLLBACK");
    await blocker.end();
    // The orphaned backend can never commit: it ends when it next talks to the dead client.
    await orphansGone();
    const after = await tables(admin, schema);
    expect(after.items).toBe(20_000);
    expect(entries(after.rollups)).toEqual(entries(before.rollups));
    expect(entries(after.totals)).toEqual(entries(before.totals));

    const rerun = await store.aggregate?.();
    expect(rerun?.items).toBe(20_000);
    await expectExact(expected);
  });

  it("a run killed between batches keeps what it committed; a rerun folds the rest exactly", async () => {
    const expected = emptyExpected();
    await seedItems(store, calendar, 30_000, START, expected);
    const child = startChild(job({ action: "aggregate", batchSize: 1_000 }));
    await child.next("progress", 4); // the start report plus three committed batches
    child.process.kill("SIGKILL");
    await child.exited;
    await orphansGone();
    const mid = await tables(admin, schema);
    expect(mid.items).toBeLessThan(30_000);
    expect(mid.items).toBeGreaterThan(0);
    const rerun = await store.aggregate?.();
    expect(rerun?.items).toBe(mid.items);
    await expectExact(expected);
  });

  it("aggregating while records keep arriving loses nothing and reads never go back", async () => {
    const expected = emptyExpected();
    const writers = [
      { slugs: ["w1", "shared"], count: 1_500, start: START },
      { slugs: ["w2", "shared"], count: 1_500, start: START + 3_600_000 },
    ];
    for (const w of writers) {
      for (let i = 0; i < w.count; i++) {
        const at = w.start + i * 7_000;
        expect1(expected, calendar, w.slugs[i % w.slugs.length] as string, 1, at, GRANULARITIES);
      }
    }
    const children = writers.map((w) => startChild(job({ action: "record", ...w })));
    let running = true;
    void Promise.all(children.map((c) => c.exited)).then(() => {
      running = false;
    });
    let foldedMeanwhile = 0;
    let lastTotal = 0;
    const day = calendar.bucket("days", START);
    let lastDay = 0;
    while (running) {
      foldedMeanwhile += (await store.aggregate?.({ batchSize: 200 }))?.items ?? 0;
      const total = await store.total("shared");
      const [dayCount] = (await store.read({ slug: "shared", granularity: "days", buckets: [day] })).counts;
      expect(total).toBeGreaterThanOrEqual(lastTotal);
      expect(dayCount).toBeGreaterThanOrEqual(lastDay);
      lastTotal = total;
      lastDay = dayCount ?? 0;
    }
    expect((await Promise.all(children.map((c) => c.exited))).map((e) => e.code)).toEqual([0, 0]);
    expect(foldedMeanwhile).toBeGreaterThan(0);
    await store.aggregate?.();
    await expectExact(expected);
    expect(await store.total("shared")).toBe(1_500);
  });

  it("runs migrations once when several processes start on a new schema at the same time", async () => {
    const fresh = uniqueSchema("mig");
    try {
      const children = [0, 1, 2, 3].map(() => startChild({ ...job({ action: "attach" }), schema: fresh }));
      const exits = await Promise.all(children.map((c) => c.exited));
      const errors = children.flatMap((c) => c.messages.filter((m) => m.type === "error"));
      expect(errors).toEqual([]);
      expect(exits.map((e) => e.code)).toEqual([0, 0, 0, 0]);
      const ledger = await admin.query(`SELECT version FROM "${fresh}".schema_migrations ORDER BY version`);
      expect(ledger.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    } finally {
      await dropSchema(fresh);
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
