import { MetricsError } from "../../errors.js";
import {
  type Bucket,
  type Calendar,
  createCalendar,
  GRANULARITIES,
  rankOf,
  type WeekStart,
} from "../../time/index.js";
import { keptFrom } from "../_retention.js";
import type { GaugeValue, Logger, MetricDefinition, Store } from "../types.js";
import { aggregateItems, checkAggregateOptions } from "./_aggregate.js";
import { clientDb, type Db, storeError, withRetry } from "./_db.js";
import { importRows } from "./_import.js";
import { migrate } from "./_migrations.js";
import { type PostgresStoreOptions, type ResolvedOptions, resolveOptions } from "./_options.js";
import { openPGlite } from "./_pglite.js";
import { openPool } from "./_pool.js";
import { column, readCounts, readManyCounts, readSlugInfo, readTotal } from "./_read.js";
import { createReportMethods } from "./_reports.js";
import { statements } from "./_sql.js";
import { recordMany, recordOne, type Writer } from "./_write.js";

/** Batch ids are remembered this long (seconds) for exactly-once `recordBatch`. */
const BATCH_ID_TTL_S = 7 * 24 * 3600;
const PRUNE_EVERY_MS = 3600_000;

/**
 * A store on Postgres (`pg`) or embedded PGlite (`@electric-sql/pglite`), both
 * optional peer dependencies loaded on first use. Throws `E_INVALID_OPTION` at
 * once for bad options; connects and migrates lazily, once. See
 * docs/stores/postgres.md.
 *
 * @example
 * const metrics = createMetrics({ store: postgresStore({ url: "pglite:./.tallyboard" }) });
 * const server = postgresStore({ url: "postgres://app@db/app", mode: "items" });
 */
export function postgresStore(options: PostgresStoreOptions): Store {
  const cfg = resolveOptions(options);
  const sql = statements(cfg.quoted);
  let logger: Logger | undefined = cfg.logger;
  let opening: Promise<Db> | undefined;
  let disposing: Promise<void> | undefined;
  let calendar: Calendar | undefined;
  let lastPrune = 0;

  const open = async (): Promise<Db> => {
    const db = await connect(cfg, () => logger);
    try {
      const applied = await withRetry(() => migrate(db, cfg.schema, cfg.quoted));
      if (applied.length > 0)
        logger?.debug?.(`tallyboard postgres: applied migrations ${applied.join(", ")}`);
      return db;
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error;
    }
  };

  const ready = (): Promise<Db> => {
    if (disposing) return Promise.reject(new MetricsError("E_DISPOSED", "This Postgres store was disposed"));
    opening ??= open().catch((error: unknown) => {
      opening = undefined;
      throw storeError(error, "connecting and migrating");
    });
    return opening;
  };

  /** Run `fn` on the connection, reporting driver errors as `E_STORE`. */
  const run = async <T>(what: string, fn: (db: Db) => Promise<T>): Promise<T> => {
    const db = await ready();
    try {
      return await fn(db);
    } catch (error) {
      throw storeError(error, what);
    }
  };

  /** The attached calendar, or one built from the stored config (e.g. a CLI aggregate run). */
  const calendarOf = async (db: Db): Promise<Calendar> => {
    if (calendar) return calendar;
    const row = (await db.query(sql.config))[0];
    if (!row) {
      throw new MetricsError(
        "E_INVALID_OPTION",
        "This Postgres store has no timezone yet: attach it (createMetrics does) before reading",
      );
    }
    calendar = createCalendar({
      timezone: String(row.timezone),
      weekStart: String(row.week_start) as WeekStart,
    });
    return calendar;
  };

  /** Bucket ends of one `bucketsAt()` array (shared by every record of a minute), for items-mode checks. */
  const ends = new WeakMap<readonly Bucket[], number[]>();
  const writer = async (db: Db): Promise<Writer> => {
    if (cfg.mode === "rollup") return { sql, mode: cfg.mode, endsOf: () => [] };
    const cal = await calendarOf(db);
    const endsOf = (buckets: readonly Bucket[]): number[] => {
      let found = ends.get(buckets);
      if (!found) {
        found = buckets.map((b, rank) => cal.next(GRANULARITIES[rank] ?? "years", b).start);
        ends.set(buckets, found);
      }
      return found;
    };
    return { sql, mode: cfg.mode, endsOf };
  };

  const names = (text: string, name: string) =>
    run("listing", async (db) => column(await db.query(text), name));
  const namesOf = (text: string, value: string) =>
    run("listing", async (db) => column(await db.query(text, [value]), "slug"));

  return {
    kind: "postgres",
    attach: (context) =>
      run("attach", async (db) => {
        logger ??= context.logger;
        const { timezone, weekStart } = context.calendar;
        let row = (await db.query(sql.attach, [timezone, weekStart]))[0];
        // A concurrent first attach committed after this statement's snapshot: read again.
        row ??= (await db.query(sql.config))[0];
        if (row && (row.timezone !== timezone || row.week_start !== weekStart)) {
          throw new MetricsError(
            "E_INVALID_OPTION",
            `Schema ${cfg.quoted} keeps buckets for ${String(row.timezone)}/${String(row.week_start)}, not ${timezone}/${weekStart}`,
          );
        }
        calendar = context.calendar;
      }),
    record: (op) =>
      run("record", async (db) => {
        const w = await writer(db);
        await withRetry(() => recordOne(db, w, op));
      }),
    recordBatch: (ops, batchOptions) =>
      run("recordBatch", async (db) => {
        if (ops.length === 0 && batchOptions?.batchId === undefined) return;
        const batchId = batchOptions?.batchId ?? null;
        const w = await writer(db);
        await withRetry(() => recordMany(db, w, ops, batchId));
        if (batchId !== null && Date.now() - lastPrune > PRUNE_EVERY_MS) {
          lastPrune = Date.now();
          await db.query(sql.pruneBatches, [BATCH_ID_TTL_S]);
        }
      }),
    retention: cfg.retention,
    prune: (now) =>
      run("prune", async (db) => {
        const cal = await calendarOf(db);
        let buckets = 0;
        for (const g of GRANULARITIES) {
          const from = keptFrom(cal, cfg.retention, g, now);
          if (from === undefined) continue;
          const [row] = await db.query(sql.pruneRollups, [rankOf(g), cal.bucket(g, from).index]);
          buckets += Number(row?.n ?? 0);
        }
        return { buckets };
      }),
    importBuckets: (rows, { batchId }) =>
      run("importBuckets", (db) => withRetry(() => importRows(db, sql, rows, batchId))),
    read: (query) => run("read", async (db) => readCounts(db, sql, await calendarOf(db), query)),
    readMany: (queries) => run("read", async (db) => readManyCounts(db, sql, await calendarOf(db), queries)),
    total: (slug) => run("total", (db) => readTotal(db, sql, slug)),
    slugInfo: (slug) => run("slugInfo", (db) => readSlugInfo(db, sql, slug)),
    slugs: () => names(sql.slugs, "slug"),
    categories: () => names(sql.categories, "name"),
    categorySlugs: (category) => namesOf(sql.categorySlugs, category),
    groups: () => names(sql.groups, "name"),
    groupSlugs: (group) => namesOf(sql.groupSlugs, group),
    setGauge: (slug, value) =>
      run("setGauge", async (db) => {
        if (!Number.isFinite(value)) {
          throw new MetricsError(
            "E_INVALID_COUNT",
            `Gauge ${slug} must be a finite number, got ${String(value)}`,
          );
        }
        await db.query(sql.setGauge, [slug, value]);
      }),
    gauge: (slug) =>
      run("gauge", async (db) => {
        const row = (await db.query(sql.gauge, [slug]))[0];
        return row ? Number(row.value) : null;
      }),
    gauges: () =>
      run("gauges", async (db) =>
        (await db.query(sql.gauges)).map(
          (r): GaugeValue => ({ slug: String(r.slug), value: Number(r.value) }),
        ),
      ),
    deleteMetric: (slug) =>
      run("deleteMetric", (db) =>
        withRetry(() =>
          db.transaction(async (tx) => {
            for (const text of sql.deleteMetric) await tx.query(text, [slug]);
          }),
        ),
      ),
    putDefinition: (d) =>
      run("putDefinition", async (db) => {
        await db.query(sql.putDefinition, [d.slug, d.name, d.description ?? null, d.unit ?? null]);
      }),
    definitions: () =>
      run("definitions", async (db) =>
        (await db.query(sql.definitions)).map((r): MetricDefinition => {
          const d: MetricDefinition = { slug: String(r.slug), name: String(r.name) };
          if (r.description !== null && r.description !== undefined) d.description = String(r.description);
          if (r.unit !== null && r.unit !== undefined) d.unit = String(r.unit);
          return d;
        }),
      ),
    ...createReportMethods(cfg.quoted, run),
    aggregate: async (aggregateOptions = {}) => {
      checkAggregateOptions(aggregateOptions);
      return run("aggregate", async (db) => aggregateItems(db, sql, await calendarOf(db), aggregateOptions));
    },
    dispose() {
      disposing ??= (async () => {
        const pending = opening;
        if (!pending) return;
        const db = await pending.catch(() => undefined);
        await db?.close();
      })();
      return disposing;
    },
  };
}

async function connect(cfg: ResolvedOptions, logger: () => Logger | undefined): Promise<Db> {
  switch (cfg.target.kind) {
    case "server":
      return openPool({ ...cfg, url: cfg.target.url }, logger);
    case "pglite":
      return openPGlite(cfg.target.dataDir);
    case "client":
      return clientDb(cfg.target.client);
  }
}
