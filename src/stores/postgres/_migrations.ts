import type { Db } from "./_db.js";
import { countLimitsSql } from "./_limits.js";

/** One schema change. The list is append-only: never edit or reorder a released entry. */
export interface Migration {
  version: number;
  name: string;
  /** DDL for the quoted schema name `s` (e.g. `"tallyboard"`). */
  sql: (s: string) => string;
}

/**
 * Granularities are stored as their rank (0 = minutes … 5 = years); a slug's
 * stored granularities as a bit mask of ranks. Text columns use the "C"
 * collation so ORDER BY matches JavaScript's default sort for ASCII names.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "initial tables",
    sql: (s) => `
CREATE TABLE ${s}.config (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  timezone text NOT NULL,
  week_start text NOT NULL
);
CREATE TABLE ${s}.slugs (
  slug text COLLATE "C" PRIMARY KEY,
  granularities smallint NOT NULL DEFAULT 0,
  total bigint NOT NULL DEFAULT 0
);
CREATE TABLE ${s}.rollups (
  slug text COLLATE "C" NOT NULL,
  granularity smallint NOT NULL,
  bucket_index bigint NOT NULL,
  bucket_start timestamptz NOT NULL,
  count bigint NOT NULL,
  PRIMARY KEY (slug, granularity, bucket_index)
);
CREATE TABLE ${s}.slug_categories (
  category text COLLATE "C" NOT NULL,
  slug text COLLATE "C" NOT NULL,
  PRIMARY KEY (category, slug)
);
CREATE INDEX slug_categories_slug ON ${s}.slug_categories (slug);
CREATE TABLE ${s}.slug_groups (
  grp text COLLATE "C" NOT NULL,
  slug text COLLATE "C" NOT NULL,
  PRIMARY KEY (grp, slug)
);
CREATE INDEX slug_groups_slug ON ${s}.slug_groups (slug);
CREATE TABLE ${s}.gauges (
  slug text COLLATE "C" PRIMARY KEY,
  value double precision NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE ${s}.definitions (
  slug text COLLATE "C" PRIMARY KEY,
  name text NOT NULL,
  description text,
  unit text
);
CREATE TABLE ${s}.batches (
  batch_id text PRIMARY KEY,
  applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX batches_applied_at ON ${s}.batches (applied_at);
CREATE TABLE ${s}.items (
  id bigserial PRIMARY KEY,
  slug text COLLATE "C" NOT NULL,
  at timestamptz NOT NULL,
  n bigint NOT NULL,
  min_granularity smallint NOT NULL,
  max_granularity smallint NOT NULL
);
CREATE INDEX items_slug_at ON ${s}.items (slug, at);
`,
  },
  {
    version: 2,
    name: "record functions",
    // PL/pgSQL caches the plans of its statements per connection, so one
    // record costs one short call on any client, PGlite included.
    sql: (s) => `
CREATE FUNCTION ${s}.record_rollup(
  p_slug text, p_by bigint, p_mask smallint, p_ranks smallint[], p_indexes bigint[], p_starts bigint[],
  p_category text, p_group text
) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO ${s}.slugs AS t (slug, granularities, total) VALUES (p_slug, p_mask, p_by)
  ON CONFLICT (slug) DO UPDATE
    SET granularities = t.granularities | EXCLUDED.granularities, total = t.total + EXCLUDED.total;
  IF p_category IS NOT NULL THEN
    INSERT INTO ${s}.slug_categories (category, slug) VALUES (p_category, p_slug) ON CONFLICT DO NOTHING;
  END IF;
  IF p_group IS NOT NULL THEN
    INSERT INTO ${s}.slug_groups (grp, slug) VALUES (p_group, p_slug) ON CONFLICT DO NOTHING;
  END IF;
  IF p_by <> 0 THEN
    INSERT INTO ${s}.rollups AS r (slug, granularity, bucket_index, bucket_start, count)
    SELECT p_slug, u.g, u.i, to_timestamp(u.ms::float8 / 1000), p_by
    FROM unnest(p_ranks, p_indexes, p_starts) AS u(g, i, ms)
    ON CONFLICT (slug, granularity, bucket_index) DO UPDATE SET count = r.count + EXCLUDED.count;
  END IF;
END
$fn$;
CREATE FUNCTION ${s}.record_item(
  p_slug text, p_mask smallint, p_at bigint, p_by bigint, p_lo smallint, p_hi smallint,
  p_category text, p_group text
) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  -- Touch the slug row only when it lacks a granularity (no row lock on the hot path).
  IF NOT EXISTS (SELECT 1 FROM ${s}.slugs WHERE slug = p_slug AND granularities & p_mask = p_mask) THEN
    INSERT INTO ${s}.slugs AS t (slug, granularities) VALUES (p_slug, p_mask)
    ON CONFLICT (slug) DO UPDATE SET granularities = t.granularities | EXCLUDED.granularities;
  END IF;
  IF p_category IS NOT NULL THEN
    INSERT INTO ${s}.slug_categories (category, slug) VALUES (p_category, p_slug) ON CONFLICT DO NOTHING;
  END IF;
  IF p_group IS NOT NULL THEN
    INSERT INTO ${s}.slug_groups (grp, slug) VALUES (p_group, p_slug) ON CONFLICT DO NOTHING;
  END IF;
  IF p_by <> 0 THEN
    INSERT INTO ${s}.items (slug, at, n, min_granularity, max_granularity)
    VALUES (p_slug, to_timestamp(p_at::float8 / 1000), p_by, p_lo, p_hi);
  END IF;
END
$fn$;
`,
  },
  {
    version: 3,
    name: "metric sets and report claims",
    // A claim row is 'claimed' while a sender holds it (taken over once
    // claimed_at is older than the lease) and 'sent' for good once delivered.
    sql: (s) => `
CREATE TABLE ${s}.metric_sets (
  name text COLLATE "C" PRIMARY KEY,
  body jsonb NOT NULL
);
CREATE TABLE ${s}.report_claims (
  set_name text COLLATE "C" NOT NULL,
  period text COLLATE "C" NOT NULL,
  state text NOT NULL CHECK (state IN ('claimed', 'sent')),
  claimed_at timestamptz NOT NULL,
  PRIMARY KEY (set_name, period)
);
`,
  },
  {
    version: 4,
    name: "report claim owners",
    // The token of the claimer (only it may complete or release its claim)
    // and the end of the claim's own lease. Claims written before this
    // migration have neither; they expire by claimed_at and the new lease.
    sql: (s) => `ALTER TABLE ${s}.report_claims ADD COLUMN owner text, ADD COLUMN lease_ends_at timestamptz;`,
  },
  { version: 5, name: "count limits", sql: countLimitsSql },
];

/**
 * Apply pending migrations in one transaction under a transaction-level
 * advisory lock keyed by the schema, so concurrent processes apply each
 * migration exactly once (the second waits, then finds nothing to do).
 * Returns the versions this call applied.
 */
export async function migrate(db: Db, schema: string, quoted: string): Promise<number[]> {
  // Fast path of every start but the first: one read, no lock and no DDL when nothing is due.
  const applied = await db.query(`SELECT version FROM ${quoted}.schema_migrations`).then(
    (rows) => new Set(rows.map((r) => Number(r.version))),
    () => undefined, // no ledger yet (or no schema): take the locked path below
  );
  if (applied && MIGRATIONS.every((m) => applied.has(m.version))) return [];
  return db.transaction(async (tx) => {
    await tx.query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [`tallyboard:migrate:${schema}`]);
    await tx.exec(
      `CREATE SCHEMA IF NOT EXISTS ${quoted};
CREATE TABLE IF NOT EXISTS ${quoted}.schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`,
    );
    const rows = await tx.query(`SELECT version FROM ${quoted}.schema_migrations`);
    const done = new Set(rows.map((r) => Number(r.version)));
    const pending = MIGRATIONS.filter((m) => !done.has(m.version));
    // Every pending migration and its ledger row in one round trip (same transaction).
    if (pending.length > 0) {
      await tx.exec(
        pending
          .map(
            (m) =>
              `${m.sql(quoted)};\nINSERT INTO ${quoted}.schema_migrations (version, name) VALUES (${m.version}, '${m.name.replaceAll("'", "''")}');`,
          )
          .join("\n"),
      );
    }
    const applied = pending.map((m) => m.version);
    return applied;
  });
}
