/**
 * Every statement the Postgres store runs (besides migrations), built once per
 * store for its quoted schema `s`. Granularities are ranks (0 = minutes …
 * 5 = years); instants travel as epoch milliseconds and are converted in SQL.
 */
/** Origin of UTC minute bins: `date_bin` cuts absolute time, independent of any session time zone. */
const EPOCH = "timestamptz '1970-01-01 00:00:00+00'";
/** A folded total beyond this marks its slug `checked` (see `_limits.ts`). */
const CHECKED_TOTAL = 2 ** 45;
const MAX = Number.MAX_SAFE_INTEGER;

export function statements(s: string) {
  /** Register slugs and add to their totals: $a text[] slugs, $b smallint[] masks, $c bigint[] totals. */
  const upsertSlugs = (a: string, b: string, c: string, where = "") => `
    INSERT INTO ${s}.slugs AS t (slug, granularities, total)
    SELECT * FROM unnest(${a}::text[], ${b}::smallint[], ${c}::bigint[]) ${where}
    ON CONFLICT (slug) DO UPDATE
      SET granularities = t.granularities | EXCLUDED.granularities, total = t.total + EXCLUDED.total,
        checked = t.checked OR abs(t.total + EXCLUDED.total) > ${CHECKED_TOTAL}`;
  /** Link names to slugs: $a text[] names, $b text[] slugs. */
  const link = (table: string, column: string, a: string, b: string, where = "") => `
    INSERT INTO ${s}.${table} (${column}, slug)
    SELECT * FROM unnest(${a}::text[], ${b}::text[]) ${where} ON CONFLICT DO NOTHING`;
  /** Add to rollup buckets: slugs, granularity ranks, bucket indexes, bucket starts (ms), counts. */
  const upsertRollups = (a: string, b: string, c: string, d: string, e: string, where = "") => `
    INSERT INTO ${s}.rollups AS r (slug, granularity, bucket_index, bucket_start, count)
    SELECT u.slug, u.g, u.i, to_timestamp(u.ms::float8 / 1000), u.n
    FROM unnest(${a}::text[], ${b}::smallint[], ${c}::bigint[], ${d}::bigint[], ${e}::bigint[]) AS u(slug, g, i, ms, n)
    ${where}
    ON CONFLICT (slug, granularity, bucket_index) DO UPDATE SET count = r.count + EXCLUDED.count`;
  /** Only when the batch id $1 is new (or null): the guard of exactly-once batches. */
  const batchGuard = `
    b AS (INSERT INTO ${s}.batches (batch_id) SELECT $1::text WHERE $1::text IS NOT NULL
          ON CONFLICT DO NOTHING RETURNING 1),
    ok AS (SELECT ($1::text IS NULL OR EXISTS (SELECT 1 FROM b)) AS go)`;
  const go = "WHERE (SELECT go FROM ok)";

  return {
    /**
     * rollup mode, one record, one round trip (function of migration 5).
     * $1 slug, $2 by, $3 mask, $4 ranks[], $5 indexes[], $6 starts ms[], $7 category|null, $8 group|null.
     */
    recordRollup: `SELECT ${s}.record_rollup_safe($1::text, $2::bigint, $3::smallint, $4::smallint[], $5::bigint[],
      $6::bigint[], $7::text, $8::text)`,
    /**
     * items mode, one record, one round trip (function of migration 2).
     * $1 slug, $2 mask, $3 at ms, $4 by (0 = register only), $5 min rank, $6 max rank, $7 category|null, $8 group|null.
     */
    recordItem: `SELECT ${s}.record_item($1::text, $2::smallint, $3::bigint, $4::bigint, $5::smallint, $6::smallint,
      $7::text, $8::text)`,

    /**
     * rollup mode batch (also the write half of aggregate): one statement, so atomic.
     * Fails with SQLSTATE 22003 (nothing written) when a bucket or total would pass ±MAX_SAFE_INTEGER:
     * checked on the rows written, since a delta may pass the limit while the sum does not.
     * $1 batch id|null; slugs $2 $3 $4; categories $5 $6; groups $7 $8; rollups $9..$13.
     */
    applyRollups: `
      WITH ${batchGuard},
      s AS (${upsertSlugs("$2", "$3", "$4", go)} RETURNING slug, total),
      c AS (${link("slug_categories", "category", "$5", "$6", go)}),
      g AS (${link("slug_groups", "grp", "$7", "$8", go)}),
      w AS (${upsertRollups("$9", "$10", "$11", "$12", "$13", go)} RETURNING slug, count)
      SELECT ${s}.count_overflow(x.slug) FROM (
        SELECT slug FROM s WHERE abs(total) > ${MAX} UNION ALL SELECT slug FROM w WHERE abs(count) > ${MAX} LIMIT 1
      ) AS x`,

    /**
     * items mode, one record or a batch, one round trip (function of migration 5):
     * parameters built by `appendItemsParams()`. False when the batch id was applied before.
     */
    appendItems: `SELECT ${s}.append_items($1::text, $2::text[], $3::smallint[], $4::numeric[], $5::boolean[],
      $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bigint[], $12::bigint[], $13::smallint[],
      $14::smallint[], $15::text[], $16::smallint[], $17::bigint[], $18::bigint[], $19::bigint[], $20::numeric[])`,

    /**
     * Slugs of a fold one of whose buckets or total would pass
     * ±MAX_SAFE_INTEGER once added: $1 slugs, $2 totals (`applyRollups` $2, $4);
     * $3..$6 rollup slugs, ranks, indexes, counts (`applyRollups` $9..$11, $13).
     */
    foldOverflows: `
      SELECT u.slug FROM unnest($1::text[], $2::numeric[]) AS u(slug, n)
      LEFT JOIN ${s}.slugs x ON x.slug = u.slug WHERE abs(coalesce(x.total, 0) + u.n) > ${MAX}
      UNION
      SELECT u.slug FROM unnest($3::text[], $4::smallint[], $5::bigint[], $6::numeric[]) AS u(slug, g, i, n)
      LEFT JOIN ${s}.rollups r ON r.slug = u.slug AND r.granularity = u.g AND r.bucket_index = u.i
      WHERE abs(coalesce(r.count, 0) + u.n) > ${MAX}`,

    /** Retention: delete rollups of granularity rank $1 whose bucket index is below $2. */
    pruneRollups: `WITH d AS (DELETE FROM ${s}.rollups WHERE granularity = $1::smallint AND bucket_index < $2::bigint
      RETURNING 1) SELECT count(*)::int AS n FROM d`,

    /** Drop exactly-once batch ids older than $1 seconds. */
    pruneBatches: `DELETE FROM ${s}.batches WHERE applied_at < now() - make_interval(secs => $1::float8)`,

    /**
     * Claim up to $1 items with id <= $2 of slugs not in $3 (skipping rows
     * another run holds), delete them, and sum them per slug, granularity run
     * and UTC minute (exact numeric sums, as text).
     * `= ANY (ARRAY(…))` keeps the delete on the primary key index.
     */
    claimItems: `
      WITH claimed AS (
        DELETE FROM ${s}.items WHERE id = ANY (ARRAY(
          SELECT id FROM ${s}.items WHERE id <= $2::bigint AND slug <> ALL ($3::text[])
          ORDER BY id LIMIT $1::int FOR UPDATE SKIP LOCKED))
        RETURNING slug, at, n, min_granularity, max_granularity
      )
      SELECT slug, lo, hi, (extract(epoch FROM m) / 60)::bigint AS minute, n::text AS n, items FROM (
        SELECT slug, min_granularity AS lo, max_granularity AS hi, date_bin('1 minute', at, ${EPOCH}) AS m,
               sum(n) AS n, count(*)::int AS items
        FROM claimed GROUP BY 1, 2, 3, 4) AS per_minute`,
    /** Work still to do at the start of an aggregate run. */
    pendingItems: `SELECT count(*)::bigint AS n, coalesce(max(id), 0)::bigint AS max_id FROM ${s}.items`,

    /** $1 timezone, $2 week start: first attach stores them; returns what is stored. */
    attach: `
      WITH ins AS (
        INSERT INTO ${s}.config (id, timezone, week_start) VALUES (true, $1::text, $2::text)
        ON CONFLICT (id) DO NOTHING RETURNING timezone, week_start)
      SELECT timezone, week_start FROM ins UNION ALL SELECT timezone, week_start FROM ${s}.config`,
    config: `SELECT timezone, week_start FROM ${s}.config`,

    /**
     * Counts of buckets $3..$4 of slug $1 at rank $2 (kind 0), the slug's mask
     * (kind 2) and, in items mode, not-yet-aggregated items per UTC minute in
     * [$5, $6) ms (kind 1) — one statement, so one consistent snapshot.
     */
    readRollups: `
      SELECT 0 AS kind, bucket_index AS k, count AS n FROM ${s}.rollups
      WHERE slug = $1::text AND granularity = $2::smallint AND bucket_index BETWEEN $3::bigint AND $4::bigint
      UNION ALL SELECT 2, granularities::bigint, 0::bigint FROM ${s}.slugs WHERE slug = $1::text`,
    readItems: `
      SELECT 0 AS kind, bucket_index AS k, count::numeric AS n FROM ${s}.rollups
      WHERE slug = $1::text AND granularity = $2::smallint AND bucket_index BETWEEN $3::bigint AND $4::bigint
      UNION ALL SELECT 2, granularities::bigint, 0::numeric FROM ${s}.slugs WHERE slug = $1::text
      UNION ALL SELECT 1, (extract(epoch FROM m) / 60)::bigint, n FROM (
        SELECT date_bin('1 minute', at, ${EPOCH}) AS m, sum(n)::numeric AS n FROM ${s}.items
        WHERE slug = $1::text AND min_granularity <= $2::smallint AND max_granularity >= $2::smallint
          AND at >= to_timestamp($5::float8 / 1000) AND at < to_timestamp($6::float8 / 1000)
        GROUP BY 1) AS per_minute`,
    /**
     * `readItems` for many queries in one statement: $1 slugs, $2 ranks, $3 first and $4 last
     * bucket indexes, $5 start and $6 end ms, one element per query; column q is the query's
     * position (1-based), kind/k/n as in `readItems`.
     */
    readMany: `
      WITH q AS (SELECT * FROM unnest($1::text[], $2::smallint[], $3::bigint[], $4::bigint[], $5::float8[],
        $6::float8[]) WITH ORDINALITY AS q(slug, g, lo, hi, s, e, q))
      SELECT q.q, 0 AS kind, r.bucket_index AS k, r.count::numeric AS n FROM q JOIN ${s}.rollups r
        ON r.slug = q.slug AND r.granularity = q.g AND r.bucket_index BETWEEN q.lo AND q.hi
      UNION ALL SELECT q.q, 2, t.granularities::bigint, 0::numeric FROM q JOIN ${s}.slugs t ON t.slug = q.slug
      UNION ALL SELECT q.q, 1, (extract(epoch FROM m.m) / 60)::bigint, m.n FROM q CROSS JOIN LATERAL (
        SELECT date_bin('1 minute', at, ${EPOCH}) AS m, sum(n)::numeric AS n FROM ${s}.items
        WHERE slug = q.slug AND min_granularity <= q.g AND max_granularity >= q.g
          AND at >= to_timestamp(q.s / 1000) AND at < to_timestamp(q.e / 1000)
        GROUP BY 1) AS m`,
    total: `SELECT total FROM ${s}.slugs WHERE slug = $1::text`,
    totalWithItems: `
      SELECT (coalesce((SELECT total FROM ${s}.slugs WHERE slug = $1::text), 0)
            + coalesce((SELECT sum(n) FROM ${s}.items WHERE slug = $1::text), 0))::text AS total`,
    slugInfo: `
      SELECT granularities,
        coalesce((SELECT array_agg(category ORDER BY category) FROM ${s}.slug_categories WHERE slug = $1::text), '{}') AS categories,
        coalesce((SELECT array_agg(grp ORDER BY grp) FROM ${s}.slug_groups WHERE slug = $1::text), '{}') AS groups
      FROM ${s}.slugs WHERE slug = $1::text`,
    slugs: `SELECT slug FROM ${s}.slugs ORDER BY slug`,
    categories: `SELECT DISTINCT category AS name FROM ${s}.slug_categories ORDER BY 1`,
    categorySlugs: `SELECT slug FROM ${s}.slug_categories WHERE category = $1::text ORDER BY slug`,
    groups: `SELECT DISTINCT grp AS name FROM ${s}.slug_groups ORDER BY 1`,
    groupSlugs: `SELECT slug FROM ${s}.slug_groups WHERE grp = $1::text ORDER BY slug`,

    setGauge: `
      INSERT INTO ${s}.gauges (slug, value) VALUES ($1::text, $2::float8)
      ON CONFLICT (slug) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    gauge: `SELECT value FROM ${s}.gauges WHERE slug = $1::text`,
    gauges: `SELECT slug, value FROM ${s}.gauges ORDER BY slug`,

    putDefinition: `
      INSERT INTO ${s}.definitions (slug, name, description, unit) VALUES ($1::text, $2::text, $3::text, $4::text)
      ON CONFLICT (slug) DO UPDATE
        SET name = EXCLUDED.name, description = EXCLUDED.description, unit = EXCLUDED.unit`,
    definitions: `SELECT slug, name, description, unit FROM ${s}.definitions ORDER BY slug`,

    /** In this order, in one transaction: items first waits for an aggregate run holding them. */
    deleteMetric: [
      `DELETE FROM ${s}.items WHERE slug = $1::text`,
      `DELETE FROM ${s}.rollups WHERE slug = $1::text`,
      `DELETE FROM ${s}.slug_categories WHERE slug = $1::text`,
      `DELETE FROM ${s}.slug_groups WHERE slug = $1::text`,
      `DELETE FROM ${s}.slugs WHERE slug = $1::text`,
      `DELETE FROM ${s}.gauges WHERE slug = $1::text`,
      `DELETE FROM ${s}.definitions WHERE slug = $1::text`,
    ],
  };
}

/** The statements of one store. */
export type Statements = ReturnType<typeof statements>;
