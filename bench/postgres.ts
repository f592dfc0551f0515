/**
 * The Postgres section: tallyboard's Postgres store on the server and on
 * embedded PGlite.
 * (a) sequential awaited `record()` in rollup mode (hours..years) next to a
 *     single-row INSERT round trip on the same connection kind, measured in
 *     interleaved rounds in the same run (target: record within 1.5x);
 * (b) sequential `record()` in items mode (one appended row), for reference;
 * (c) `aggregate()` throughput over 1M raw items (× scale): 100 slugs, 7 days,
 *     hours..years (targets: >= 200k items/s server, >= 50k items/s PGlite);
 * (d) on the server, the rollups table of a year of hourly data before and
 *     after `prune()` with retention (see _postgres_retention.ts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { createMetrics } from "../src/core/index.js";
import type { Metrics } from "../src/core/types.js";
import { postgresStore } from "../src/stores/postgres/index.js";
import type { RecordOp, Store } from "../src/stores/types.js";
import { createCalendar, GRANULARITIES } from "../src/time/index.js";
import { interleaved, sequentialRate, timeOnce } from "./_measure.js";
import { pruneSizes } from "./_postgres_retention.js";
import type { BenchContext, BenchRow, BenchSection } from "./_types.js";

type Target = NonNullable<BenchSection["targets"]>[number];
type Insert = (i: number) => Promise<unknown>;

const SCHEMA = `tb_bench_${process.pid}`;
const INSERT_REF = "single-row INSERT";

/** Where one half of the section runs: the server or PGlite. */
interface Backend {
  label: "server" | "PGlite";
  store(mode: "rollup" | "items", schema: string): Store;
  /** A single-row INSERT into a plain table, on the same kind of connection as the store. */
  insert(): Promise<{ op: Insert; close(): Promise<void> }>;
  drop(schema: string): Promise<void>;
  close(): Promise<void>;
}

async function serverBackend(url: string): Promise<Backend> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  return {
    label: "server",
    store: (mode, schema) => postgresStore({ url, schema, mode }),
    async insert() {
      const pool = new pg.Pool({ connectionString: url, max: 10 });
      const table = `"${SCHEMA}_ref"`;
      await pool.query(`DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (slug text, n bigint)`);
      const text = `INSERT INTO ${table} (slug, n) VALUES ($1, $2)`;
      // A prepared (named) statement, as the store uses on pools it creates.
      const op: Insert = (i) => pool.query({ name: "bench_ref_insert", text, values: ["bench_write", i] });
      return {
        op,
        close: async () => {
          await pool.query(`DROP TABLE ${table}`);
          await pool.end();
        },
      };
    },
    drop: async (schema) => {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
    close: () => admin.end(),
  };
}

async function pgliteBackend(): Promise<Backend> {
  const dir = await mkdtemp(join(tmpdir(), "tb-bench-pglite-"));
  const db = await PGlite.create(join(dir, "db"));
  return {
    label: "PGlite",
    store: (mode, schema) => postgresStore({ client: db, schema, mode }),
    async insert() {
      await db.exec("CREATE TABLE bench_ref (slug text, n bigint)");
      const op: Insert = (i) =>
        db.query("INSERT INTO bench_ref (slug, n) VALUES ($1, $2)", ["bench_write", i]);
      return { op, close: async () => void (await db.exec("DROP TABLE bench_ref")) };
    },
    drop: async (schema) => void (await db.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)),
    close: async () => {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const metricsOn = (store: Store): Metrics =>
  createMetrics({ store, granularities: { min: "hours", max: "years" } });

/** (a) and (b): record rates beside the INSERT reference. */
async function recordRates(ctx: BenchContext, b: Backend, rows: BenchRow[], targets: Target[]) {
  const n = Math.max(200, Math.round(4000 * ctx.scale));
  const rollup = metricsOn(b.store("rollup", `${SCHEMA}_r`));
  const items = metricsOn(b.store("items", `${SCHEMA}_i`));
  const ref = await b.insert();
  try {
    await rollup.record("bench_write");
    await items.record("bench_write");
    await ref.op(0);
    ctx.log(`postgres: ${b.label} sequential record vs INSERT, ${n} each × 7 rounds`);
    const rates = await interleaved(
      {
        insert: () => sequentialRate(ref.op, n),
        rollup: () => sequentialRate(() => rollup.record("bench_write"), n),
        items: () => sequentialRate(() => items.record("bench_write"), n),
      },
      7,
    );
    const name = `(a) sequential record(), ${b.label}`;
    rows.push({ name, subject: INSERT_REF, value: rates.insert, unit: "ops/s" });
    rows.push({
      name,
      subject: "tallyboard rollup",
      value: rates.rollup,
      unit: "events/s",
      ratio: { to: INSERT_REF, value: rates.rollup / rates.insert },
    });
    rows.push({
      name: `(b) sequential record(), ${b.label}`,
      subject: "tallyboard items",
      value: rates.items,
      unit: "events/s",
      ratio: { to: INSERT_REF, value: rates.items / rates.insert },
    });
    const slowdown = rates.insert / rates.rollup;
    targets.push({
      name: `${b.label}: rollup record() within 1.5x of a single-row INSERT`,
      met: slowdown <= 1.5,
      detail: `${slowdown.toFixed(2)}x (${Math.round(rates.rollup)} vs ${Math.round(rates.insert)} per second; a record writes 6 rows, the INSERT 1)`,
    });
  } finally {
    await rollup.dispose();
    await items.dispose();
    await ref.close();
    await b.drop(`${SCHEMA}_r`);
    await b.drop(`${SCHEMA}_i`);
  }
}

/** Deterministic items: 100 slugs over 7 days, hours..years. */
function* itemBatches(total: number, size: number): Generator<RecordOp[]> {
  const calendar = createCalendar({ timezone: "Europe/Berlin" });
  const start = Date.UTC(2024, 2, 25);
  const granularities = GRANULARITIES.slice(1);
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  for (let done = 0; done < total; done += size) {
    const batch: RecordOp[] = [];
    for (let i = 0; i < Math.min(size, total - done); i++) {
      const at = start + Math.floor(random() * 7 * 86_400_000);
      const slug = `s${Math.floor(random() * 100)}`;
      batch.push({ slug, by: 1, at, buckets: calendar.bucketsAt(at), granularities });
    }
    yield batch;
  }
}

/** (c) aggregate throughput. */
async function aggregateRate(ctx: BenchContext, b: Backend, rows: BenchRow[], targets: Target[]) {
  const total = Math.max(10_000, Math.round(1_000_000 * ctx.scale));
  const schema = `${SCHEMA}_agg`;
  const store = b.store("items", schema);
  try {
    await store.attach({ calendar: createCalendar({ timezone: "Europe/Berlin" }) });
    ctx.log(`postgres: ${b.label} appending ${total} items`);
    for (const batch of itemBatches(total, 50_000)) await store.recordBatch(batch);
    ctx.log(`postgres: ${b.label} aggregating ${total} items`);
    let result = { items: 0, buckets: 0, batches: 0 };
    const ms = await timeOnce(async () => {
      result = await (store.aggregate?.() ?? Promise.reject(new Error("no aggregate")));
    });
    if (result.items !== total) throw new Error(`aggregate folded ${result.items} of ${total} items`);
    if ((await store.total("s1")) <= 0) throw new Error("aggregate left no totals");
    const rate = (total / ms) * 1000;
    rows.push({
      name: `(c) aggregate() ${total} items, ${b.label}`,
      subject: "tallyboard items",
      value: rate,
      unit: "items/s",
    });
    const goal = b.label === "server" ? 200_000 : 50_000;
    targets.push({
      name: `${b.label}: aggregate >= ${goal / 1000}k items/s`,
      met: rate >= goal,
      detail: `${Math.round(rate)} items/s (${total} items, ${result.buckets} bucket writes, ${result.batches} batches, ${Math.round(ms)} ms)`,
    });
  } finally {
    await store.dispose();
    await b.drop(schema);
  }
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  const rows: BenchRow[] = [];
  const targets: Target[] = [];
  const backends: Backend[] = [];
  if (ctx.postgresUrl) backends.push(await serverBackend(ctx.postgresUrl));
  else ctx.log("postgres: no server reachable, only PGlite is measured");
  backends.push(await pgliteBackend());
  try {
    for (const b of backends) {
      await recordRates(ctx, b, rows, targets);
      await aggregateRate(ctx, b, rows, targets);
    }
    if (ctx.postgresUrl) rows.push(...(await pruneSizes(ctx, ctx.postgresUrl)));
  } finally {
    for (const b of backends) await b.close();
  }
  return { name: "postgres", rows, targets };
}
