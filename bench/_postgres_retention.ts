/**
 * Part (d) of the Postgres section, on the server: the rollups table of a
 * year of hourly data before and after `prune()`. 20 slugs (× scale) each get
 * one event per hour for the 8,784 hours up to now (hours..years), recorded
 * with `recordMany` into a store with retention `{ minutes: "2d", hours:
 * "90d", days: "5y" }`; then `prune()` deletes the hours older than 90 days.
 * Reported: rows and `pg_total_relation_size` of the rollups table (with its
 * primary key) before and after the prune, each after `VACUUM FULL` (upserts
 * leave dead tuples, and a plain DELETE leaves the file as large until a
 * vacuum reuses or returns the space).
 */
import pg from "pg";
import { createMetrics } from "../src/core/index.js";
import { postgresStore } from "../src/stores/postgres/index.js";
import { runConcurrently } from "./_measure.js";
import { RETENTION } from "./_redis_retention.js";
import type { BenchContext, BenchRow } from "./_types.js";

const HOUR = 3_600_000;
const YEAR_HOURS = 8784;

interface TableSize {
  rows: number;
  bytes: number;
}

async function tableSize(admin: pg.Client, schema: string): Promise<TableSize> {
  const { rows } = await admin.query<{ rows: string; bytes: string }>(
    `SELECT (SELECT count(*) FROM "${schema}".rollups) AS rows,
            pg_total_relation_size('"${schema}".rollups') AS bytes`,
  );
  return { rows: Number(rows[0]?.rows), bytes: Number(rows[0]?.bytes) };
}

/** Part (d): rows and bytes of the rollups table before and after prune. */
export async function pruneSizes(ctx: BenchContext, url: string): Promise<BenchRow[]> {
  const count = Math.max(4, Math.round(20 * ctx.scale));
  const schema = `tb_bench_prune_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const metrics = createMetrics({
    store: postgresStore({ url, schema, retention: RETENTION }),
    granularities: { min: "hours", max: "years" },
  });
  try {
    const slugs = Array.from({ length: count }, (_, k) => `prune_${k}`);
    const last = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
    const events = count * YEAR_HOURS;
    const per = 5000;
    ctx.log(`postgres: server recording ${events} hourly events with retention`);
    await runConcurrently(
      async (b) => {
        const batch = [];
        for (let i = b * per; i < Math.min(events, (b + 1) * per); i++) {
          const hour = Math.floor(i / count);
          batch.push({ slug: slugs[i % count] as string, at: last - (YEAR_HOURS - 1 - hour) * HOUR });
        }
        await metrics.recordMany(batch);
      },
      Math.ceil(events / per),
      2,
    );
    // Compacted both times, so the sizes compare live rows, not the dead tuples of upserts.
    await admin.query(`VACUUM FULL "${schema}".rollups`);
    const before = await tableSize(admin, schema);
    const pruned = await metrics.prune();
    await admin.query(`VACUUM FULL "${schema}".rollups`);
    const after = await tableSize(admin, schema);
    const name = `(d) rollups table, ${count} slugs × 1 year hourly + rollups, prune() with hours 90d, days 5y (server)`;
    const ratio = (value: number, ref: number) => ({
      to: "before prune + VACUUM FULL",
      value: Math.round((value / ref) * 1000) / 1000,
    });
    return [
      { name, subject: "before prune + VACUUM FULL: rows", value: before.rows, unit: "rows" },
      {
        name,
        subject: "before prune + VACUUM FULL: size",
        value: Math.round(before.bytes / 1024),
        unit: "KiB",
      },
      {
        name,
        subject: "before prune + VACUUM FULL: per row",
        value: Math.round(before.bytes / before.rows),
        unit: "B",
      },
      {
        name,
        subject: `after prune (${pruned.buckets} buckets) + VACUUM FULL: rows`,
        value: after.rows,
        unit: "rows",
        ratio: ratio(after.rows, before.rows),
      },
      {
        name,
        subject: "after prune + VACUUM FULL: size",
        value: Math.round(after.bytes / 1024),
        unit: "KiB",
        ratio: ratio(after.bytes, before.bytes),
      },
      {
        name,
        subject: "after prune + VACUUM FULL: per row",
        value: Math.round(after.bytes / after.rows),
        unit: "B",
      },
    ];
  } finally {
    await metrics.dispose();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
}
