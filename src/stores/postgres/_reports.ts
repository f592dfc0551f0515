import type { MetricSetRecord, Store } from "../types.js";
import type { Db, Row } from "./_db.js";

/** Runs `fn` on the connection, reporting driver errors as `E_STORE`. */
type Run = <T>(what: string, fn: (db: Db) => Promise<T>) => Promise<T>;

/** Statements of metric sets and report claims for the quoted schema `s`. */
function reportStatements(s: string) {
  return {
    putSet: `INSERT INTO ${s}.metric_sets (name, body) VALUES ($1, $2::jsonb)
      ON CONFLICT (name) DO UPDATE SET body = EXCLUDED.body`,
    sets: `SELECT name, body FROM ${s}.metric_sets`,
    deleteSet: `DELETE FROM ${s}.metric_sets WHERE name = $1`,
    /**
     * One atomic statement: a new row wins; an existing one is taken over only
     * while 'claimed' and older than the lease ($4 ms before the claim's $3 ms).
     * A concurrent claimer waits on the row lock and then re-checks the WHERE.
     */
    claim: `INSERT INTO ${s}.report_claims AS c (set_name, period, state, claimed_at)
      VALUES ($1, $2, 'claimed', to_timestamp($3::float8 / 1000))
      ON CONFLICT (set_name, period) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
      WHERE c.state = 'claimed' AND c.claimed_at <= EXCLUDED.claimed_at - $4::bigint * interval '1 millisecond'
      RETURNING 1 AS won`,
    complete: `INSERT INTO ${s}.report_claims AS c (set_name, period, state, claimed_at)
      VALUES ($1, $2, 'sent', now())
      ON CONFLICT (set_name, period) DO UPDATE SET state = 'sent'`,
    release: `DELETE FROM ${s}.report_claims WHERE set_name = $1 AND period = $2 AND state = 'claimed'`,
  };
}

/** A jsonb column as an object, whether the driver parsed it or not. */
function parseBody(row: Row): MetricSetRecord {
  const body = typeof row.body === "string" ? JSON.parse(row.body) : row.body;
  return { ...(body as MetricSetRecord), name: String(row.name) };
}

/**
 * Metric sets (table `metric_sets`, name → jsonb) and report claims (table
 * `report_claims`) of the Postgres store. Claims judge age by the caller's
 * `now`, never the database clock, so every process agrees with its own
 * schedule; a sent row is never taken over and never released.
 */
export function createReportMethods(
  quoted: string,
  run: Run,
): Pick<
  Store,
  "putMetricSet" | "metricSets" | "deleteMetricSet" | "claimReport" | "completeReport" | "releaseReport"
> {
  const sql = reportStatements(quoted);
  return {
    putMetricSet: (set) =>
      run("putMetricSet", async (db) => {
        await db.query(sql.putSet, [set.name, JSON.stringify(set)]);
      }),
    metricSets: () =>
      run("metricSets", async (db) =>
        (await db.query(sql.sets))
          .map(parseBody)
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      ),
    deleteMetricSet: (name) =>
      run("deleteMetricSet", async (db) => {
        await db.query(sql.deleteSet, [name]);
      }),
    claimReport: ({ set, period, now, leaseMs }) =>
      run("claimReport", async (db) => {
        const rows = await db.query(sql.claim, [set, period, now, Math.ceil(leaseMs)]);
        return rows.length > 0;
      }),
    completeReport: ({ set, period }) =>
      run("completeReport", async (db) => {
        await db.query(sql.complete, [set, period]);
      }),
    releaseReport: ({ set, period }) =>
      run("releaseReport", async (db) => {
        await db.query(sql.release, [set, period]);
      }),
  };
}
