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
     * One atomic statement: a new row wins; an existing one is taken over
     * (with the new owner) only while 'claimed' and its lease has ended at
     * the claim's time $3 (epoch ms); $4 is the new claim's lease in ms. A
     * row from before migration 4 has no lease end: it ends $4 ms after
     * claimed_at. A concurrent claimer waits on the row lock
     * and then re-checks the WHERE. A loser reads the row's state from the
     * statement's snapshot; a row that a concurrent transaction has just
     * inserted is not in it, and then no row comes back at all ("held").
     */
    claim: `WITH won AS (
        INSERT INTO ${s}.report_claims AS c (set_name, period, state, claimed_at, owner, lease_ends_at)
        VALUES ($1, $2, 'claimed', to_timestamp($3::float8 / 1000), $5,
          to_timestamp($3::float8 / 1000) + $4::bigint * interval '1 millisecond')
        ON CONFLICT (set_name, period) DO UPDATE
        SET claimed_at = EXCLUDED.claimed_at, owner = EXCLUDED.owner, lease_ends_at = EXCLUDED.lease_ends_at
        WHERE c.state = 'claimed' AND EXCLUDED.claimed_at >=
          coalesce(c.lease_ends_at, c.claimed_at + $4::bigint * interval '1 millisecond')
        RETURNING 'claimed'::text AS outcome)
      SELECT outcome FROM won
      UNION ALL
      SELECT CASE WHEN state = 'sent' THEN 'sent' ELSE 'held' END FROM ${s}.report_claims
      WHERE set_name = $1 AND period = $2 AND NOT EXISTS (SELECT 1 FROM won)`,
    /** The owner's claim, or no row at all, becomes 'sent'; another owner's claim or a sent row stays. */
    complete: `INSERT INTO ${s}.report_claims AS c (set_name, period, state, claimed_at, owner)
      VALUES ($1, $2, 'sent', now(), $3)
      ON CONFLICT (set_name, period) DO UPDATE SET state = 'sent'
      WHERE c.state = 'claimed' AND c.owner = EXCLUDED.owner
      RETURNING 1 AS done`,
    release: `DELETE FROM ${s}.report_claims
      WHERE set_name = $1 AND period = $2 AND state = 'claimed' AND owner = $3
      RETURNING 1 AS done`,
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
 * schedule; a claim row carries its owner's token, and only that owner
 * completes or releases it; a sent row is never taken over and never released.
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
    claimReport: ({ set, period, now, leaseMs, owner }) =>
      run("claimReport", async (db) => {
        const rows = await db.query(sql.claim, [set, period, now, Math.ceil(leaseMs), owner]);
        const outcome = rows[0]?.outcome;
        return outcome === "claimed" || outcome === "sent" ? outcome : "held";
      }),
    completeReport: ({ set, period, owner }) =>
      run("completeReport", async (db) => (await db.query(sql.complete, [set, period, owner])).length > 0),
    releaseReport: ({ set, period, owner }) =>
      run("releaseReport", async (db) => (await db.query(sql.release, [set, period, owner])).length > 0),
  };
}
