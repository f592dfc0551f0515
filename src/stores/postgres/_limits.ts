/** Largest count a bucket or total may hold: `Number.MAX_SAFE_INTEGER`. */
const MAX = "9007199254740991";

/**
 * SQLSTATE of `append_items()` called without bucket sums (`p_bslug` null)
 * for a write touching a checked slug: the caller sends them and calls again.
 */
export const NEED_BUCKETS = "TB001";

/**
 * DDL of migration 5: counts stay within ±Number.MAX_SAFE_INTEGER.
 *
 * - `count_overflow(slug)` raises SQLSTATE 22003; `record_rollup_safe()`
 *   (rollup mode, replacing migration 2's `record_rollup`) and the batch
 *   statement call it when a row they wrote passes the limit, so the whole
 *   statement fails and nothing is written. (Not a CHECK constraint: an upsert
 *   checks the row it proposes, and a delta may pass the limit while the sum
 *   does not.)
 * - `slugs.checked`: set for good once a slug gets a large write (see
 *   `LARGE` in `_items.ts`) or its folded total passes 2^45.
 * - `append_items()`, the items-mode write of one record or one batch. For
 *   checked slugs it adds folded counts and pending items of every bucket
 *   written, and of the total, and refuses a write that would pass the limit
 *   (SQLSTATE 22003, nothing written). Writers of a checked slug take turns
 *   (an exclusive advisory lock per slug); other writers share that lock, so an
 *   exact check waits until their items are committed and counts them.
 *   See docs/stores/postgres.md, "Count limits".
 */
export const countLimitsSql = (s: string): string => {
  /** Advisory lock key of a slug expression, per schema. */
  const key = (slug: string) => `hashtextextended('tallyboard:' || ${sqlText(s)} || ':' || ${slug}, 0)`;
  /** Take a slug's lock: exclusive when `checked`, else shared. */
  const lockBy = (checked: string, slug: string) =>
    `CASE WHEN ${checked} THEN pg_advisory_xact_lock(${key(slug)}) ELSE pg_advisory_xact_lock_shared(${key(slug)}) END`;
  return `
ALTER TABLE ${s}.slugs ADD COLUMN checked boolean NOT NULL DEFAULT false;
CREATE FUNCTION ${s}.count_overflow(p_slug text) RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'tallyboard: a count of slug % would pass ±${MAX}', p_slug USING ERRCODE = '22003';
END
$fn$;
CREATE FUNCTION ${s}.record_rollup_safe(
  p_slug text, p_by bigint, p_mask smallint, p_ranks smallint[], p_indexes bigint[], p_starts bigint[],
  p_category text, p_group text
) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  v_total bigint;
  v_peak numeric;
BEGIN
  INSERT INTO ${s}.slugs AS t (slug, granularities, total) VALUES (p_slug, p_mask, p_by)
  ON CONFLICT (slug) DO UPDATE
    SET granularities = t.granularities | EXCLUDED.granularities, total = t.total + EXCLUDED.total
  RETURNING total INTO v_total;
  IF abs(v_total) > ${MAX} THEN PERFORM ${s}.count_overflow(p_slug); END IF;
  IF p_category IS NOT NULL THEN
    INSERT INTO ${s}.slug_categories (category, slug) VALUES (p_category, p_slug) ON CONFLICT DO NOTHING;
  END IF;
  IF p_group IS NOT NULL THEN
    INSERT INTO ${s}.slug_groups (grp, slug) VALUES (p_group, p_slug) ON CONFLICT DO NOTHING;
  END IF;
  IF p_by <> 0 THEN
    WITH w AS (
      INSERT INTO ${s}.rollups AS r (slug, granularity, bucket_index, bucket_start, count)
      SELECT p_slug, u.g, u.i, to_timestamp(u.ms::float8 / 1000), p_by
      FROM unnest(p_ranks, p_indexes, p_starts) AS u(g, i, ms)
      ON CONFLICT (slug, granularity, bucket_index) DO UPDATE SET count = r.count + EXCLUDED.count
      RETURNING count)
    SELECT max(abs(count)) INTO v_peak FROM w;
    IF v_peak > ${MAX} THEN PERFORM ${s}.count_overflow(p_slug); END IF;
  END IF;
END
$fn$;
CREATE FUNCTION ${s}.append_items(
  p_batch text,
  p_slugs text[], p_masks smallint[], p_totals numeric[], p_large boolean[],
  p_cat text[], p_cat_slug text[], p_grp text[], p_grp_slug text[],
  p_islug text[], p_iat bigint[], p_in bigint[], p_ilo smallint[], p_ihi smallint[],
  p_bslug text[], p_brank smallint[], p_bindex bigint[], p_bstart bigint[], p_bend bigint[], p_bdelta numeric[]
) RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
  v_missing bigint;
  v_exact text[];
  v_bad text;
BEGIN
  IF p_batch IS NOT NULL THEN
    INSERT INTO ${s}.batches (batch_id) VALUES (p_batch) ON CONFLICT DO NOTHING;
    IF NOT FOUND THEN RETURN false; END IF;
  END IF;
  -- Per-slug advisory locks (no row writes): writers of a checked slug take turns,
  -- others share, so an exact check waits until their items are committed.
  PERFORM ${lockBy("x.checked", "x.slug")}
  FROM (SELECT slug, checked FROM ${s}.slugs WHERE slug = ANY (p_slugs) ORDER BY slug) AS x;
  -- Read again after the locks (a slug checked meanwhile is taken in turn too),
  -- with what registration is missing.
  SELECT count(*) FILTER (WHERE x.slug IS NULL OR x.granularities & u.m <> u.m OR (u.big AND NOT x.checked)),
         array_agg(u.slug ORDER BY u.slug) FILTER (WHERE x.checked OR u.big)
  INTO v_missing, v_exact
  FROM unnest(p_slugs, p_masks, p_large) AS u(slug, m, big) LEFT JOIN ${s}.slugs x ON x.slug = u.slug;
  IF v_missing > 0 THEN
    -- Register slugs and granularities; a large write marks its slug checked for good.
    INSERT INTO ${s}.slugs AS t (slug, granularities, checked)
    SELECT u.slug, u.m, u.big FROM unnest(p_slugs, p_masks, p_large) AS u(slug, m, big)
    ON CONFLICT (slug) DO UPDATE
      SET granularities = t.granularities | EXCLUDED.granularities, checked = t.checked OR EXCLUDED.checked
      WHERE t.granularities & EXCLUDED.granularities <> EXCLUDED.granularities OR (EXCLUDED.checked AND NOT t.checked);
    PERFORM ${lockBy("x.checked", "x.slug")}
    FROM (SELECT slug, checked FROM ${s}.slugs WHERE slug = ANY (p_slugs) ORDER BY slug) AS x;
    SELECT array_agg(slug ORDER BY slug) INTO v_exact FROM ${s}.slugs WHERE slug = ANY (p_slugs) AND checked;
  END IF;
  IF v_exact IS NOT NULL THEN
    IF p_bslug IS NULL THEN
      RAISE EXCEPTION 'tallyboard: bucket sums needed' USING ERRCODE = '${NEED_BUCKETS}';
    END IF;
    PERFORM pg_advisory_xact_lock(${key("x")}) FROM unnest(v_exact) AS x;
    SELECT u.slug INTO v_bad FROM unnest(p_slugs, p_totals) AS u(slug, d)
    WHERE u.slug = ANY (v_exact) AND abs(
      (SELECT x.total FROM ${s}.slugs x WHERE x.slug = u.slug)
      + coalesce((SELECT sum(i.n) FROM ${s}.items i WHERE i.slug = u.slug), 0) + u.d) > ${MAX}
    LIMIT 1;
    IF v_bad IS NULL THEN
      SELECT b.slug INTO v_bad
      FROM unnest(p_bslug, p_brank, p_bindex, p_bstart, p_bend, p_bdelta) AS b(slug, g, idx, st, en, d)
      WHERE b.slug = ANY (v_exact) AND abs(
        coalesce((SELECT r.count FROM ${s}.rollups r
                  WHERE r.slug = b.slug AND r.granularity = b.g AND r.bucket_index = b.idx), 0)
        + coalesce((SELECT sum(i.n) FROM ${s}.items i
                    WHERE i.slug = b.slug AND i.min_granularity <= b.g AND i.max_granularity >= b.g
                      AND i.at >= to_timestamp(b.st::float8 / 1000) AND i.at < to_timestamp(b.en::float8 / 1000)), 0)
        + b.d) > ${MAX}
      LIMIT 1;
    END IF;
    IF v_bad IS NOT NULL THEN
      RAISE EXCEPTION 'tallyboard: a count of slug % would pass ±${MAX}', v_bad USING ERRCODE = '22003';
    END IF;
  END IF;
  IF cardinality(p_cat) > 0 THEN
    INSERT INTO ${s}.slug_categories (category, slug) SELECT * FROM unnest(p_cat, p_cat_slug) ON CONFLICT DO NOTHING;
  END IF;
  IF cardinality(p_grp) > 0 THEN
    INSERT INTO ${s}.slug_groups (grp, slug) SELECT * FROM unnest(p_grp, p_grp_slug) ON CONFLICT DO NOTHING;
  END IF;
  INSERT INTO ${s}.items (slug, at, n, min_granularity, max_granularity)
  SELECT u.slug, to_timestamp(u.ms::float8 / 1000), u.n, u.lo, u.hi
  FROM unnest(p_islug, p_iat, p_in, p_ilo, p_ihi) AS u(slug, ms, n, lo, hi);
  RETURN true;
END
$fn$;
`;
};

/** A string literal (schema names hold only letters, digits, _ and the quotes). */
const sqlText = (text: string): string => `'${text.replaceAll("'", "''")}'`;
