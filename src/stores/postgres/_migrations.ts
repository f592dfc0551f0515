import type { Db } from "./_db.js";

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
];

/**
 * Apply pending migrations in one transaction under a transaction-level
 * advisory lock keyed by the schema, so concurrent processes apply each
 * migration exactly once (the second waits, then finds nothing to do).
 * Returns the versions this call applied.
 */
export async function migrate(db: Db, schema: string, quoted: string): Promise<number[]> {
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
    const applied: number[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql(quoted));
      await tx.query(`INSERT INTO ${quoted}.schema_migrations (version, name) VALUES ($1, $2)`, [
        m.version,
        m.name,
      ]);
      applied.push(m.version);
    }
    return applied;
  });
}
