import { describeValue, MetricsError } from "../../errors.js";
import { type Calendar, GRANULARITIES, type Granularity, rankOf } from "../../time/index.js";
import { keptFrom, parseRetention, type RetentionOptions } from "../_retention.js";
import type { MetricDefinition, ReadQuery, ReadResult, RecordOp, SlugInfo, Store } from "../types.js";
import { memoryReports } from "./_reports.js";

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /**
   * How long counts of each granularity are kept after their bucket ends:
   * `{ minutes: "2d", hours: "90d", days: "5y" }` (durations or ms). Expired
   * buckets read as 0 and are deleted by `prune()` (`metrics.prune()`).
   * @default {} (keep everything)
   */
  retention?: RetentionOptions;
}

interface SlugState {
  counts: Map<Granularity, Map<number, number>>;
  granularities: Set<Granularity>;
  categories: Set<string>;
  groups: Set<string>;
  total: number;
}

/** Throws `E_INVALID_OPTION` unless `options` is a plain object holding only `retention`. */
function checkOptions(options: unknown): void {
  const proto: unknown = typeof options === "object" && options !== null && Object.getPrototypeOf(options);
  if (proto !== Object.prototype && proto !== null) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `memoryStore() options must be a plain object, got ${describeValue(options)}`,
    );
  }
  for (const key in options as object) {
    if (key !== "retention") {
      throw new MetricsError(
        "E_INVALID_OPTION",
        `Unknown memoryStore() option ${describeValue(key)}; did you mean "retention"?`,
      );
    }
  }
}

/** `E_COUNT_OVERFLOW` for a record that would take `g`'s bucket (or the total) past a safe integer. */
function overflow(op: RecordOp, g: string, before: number): MetricsError {
  return new MetricsError(
    "E_COUNT_OVERFLOW",
    `Recording ${op.by} on slug ${describeValue(op.slug)} would take its ${g === "total" ? "total" : `${g} bucket`} (${before}) past ${Number.MAX_SAFE_INTEGER * Math.sign(op.by)}; nothing was written`,
  );
}

const sorted = (values: Iterable<string>): string[] => [...values].sort();

/**
 * An in-process store: the default of `createMetrics()` and the executable
 * specification the other stores are tested against. Data lives as long as the
 * process; nothing is shared between instances.
 *
 * @example
 * const metrics = createMetrics({ store: memoryStore() });
 */
export function memoryStore(options: MemoryStoreOptions = {}): Store {
  checkOptions(options);
  const retention = parseRetention(options.retention, "memoryStore()");
  let calendar: Calendar | undefined;
  const slugs = new Map<string, SlugState>();
  const categories = new Map<string, Set<string>>();
  const groups = new Map<string, Set<string>>();
  const gauges = new Map<string, number>();
  const definitions = new Map<string, MetricDefinition>();
  const batches = new Set<string>();
  let config: { timezone: string; weekStart: string } | undefined;

  const link = (index: Map<string, Set<string>>, name: string, slug: string): void => {
    const set = index.get(name);
    if (set) set.add(slug);
    else index.set(name, new Set([slug]));
  };

  const newState = (): SlugState => ({
    counts: new Map(),
    granularities: new Set(),
    categories: new Set(),
    groups: new Set(),
    total: 0,
  });

  /** Write one record that {@link checkOne} or {@link checkMany} accepted. */
  const apply = (op: RecordOp): void => {
    let state = slugs.get(op.slug);
    if (!state) {
      state = newState();
      slugs.set(op.slug, state);
    }
    for (const g of op.granularities) {
      state.granularities.add(g);
      const bucket = op.buckets[rankOf(g)];
      if (!bucket || op.by === 0) continue;
      const counts = state.counts.get(g);
      if (counts) counts.set(bucket.index, (counts.get(bucket.index) ?? 0) + op.by);
      else state.counts.set(g, new Map([[bucket.index, op.by]]));
    }
    state.total += op.by;
    if (op.category !== undefined) {
      state.categories.add(op.category);
      link(categories, op.category, op.slug);
    }
    if (op.group !== undefined) {
      state.groups.add(op.group);
      link(groups, op.group, op.slug);
    }
  };

  const current = (slug: string, g: Granularity | "total", index: number): number => {
    const state = slugs.get(slug);
    if (!state) return 0;
    return g === "total" ? state.total : (state.counts.get(g)?.get(index) ?? 0);
  };

  /** Throws `E_COUNT_OVERFLOW` unless `before + op.by` is a safe integer; returns the sum. */
  const add = (op: RecordOp, g: Granularity | "total", before: number): number => {
    const after = before + op.by;
    if (!Number.isSafeInteger(after)) throw overflow(op, g, before);
    return after;
  };

  /** Throws `E_COUNT_OVERFLOW` when one record would take a bucket or its total past a safe integer. */
  const checkOne = (op: RecordOp): void => {
    if (op.by === 0) return;
    for (const g of op.granularities) {
      const bucket = op.buckets[rankOf(g)];
      if (bucket) add(op, g, current(op.slug, g, bucket.index));
    }
    add(op, "total", current(op.slug, "total", 0));
  };

  /** One read, answered synchronously (so a `readMany()` sees one consistent state). */
  const readOne = ({ slug, granularity, buckets }: ReadQuery): ReadResult => {
    const state = slugs.get(slug);
    const counts = state?.counts.get(granularity);
    return { counts: buckets.map((b) => counts?.get(b.index) ?? 0), stored: state ? stored(state) : null };
  };

  /** {@link checkOne} for records applied in order, summing those that meet in a bucket. */
  const checkMany = (ops: readonly RecordOp[]): void => {
    const sums = new Map<string, number>();
    const check = (op: RecordOp, g: Granularity | "total", index: number): void => {
      const key = `${op.slug}\u0000${g}\u0000${index}`;
      sums.set(key, add(op, g, sums.get(key) ?? current(op.slug, g, index)));
    };
    for (const op of ops) {
      if (op.by === 0) continue;
      for (const g of op.granularities) {
        const bucket = op.buckets[rankOf(g)];
        if (bucket) check(op, g, bucket.index);
      }
      check(op, "total", 0);
    }
  };

  const stored = (state: SlugState): Granularity[] => GRANULARITIES.filter((g) => state.granularities.has(g));

  return {
    kind: "memory",
    retention,
    async prune(now) {
      let buckets = 0;
      if (!calendar) return { buckets };
      for (const g of GRANULARITIES) {
        const from = keptFrom(calendar, retention, g, now);
        if (from === undefined) continue;
        const first = calendar.bucket(g, from).index;
        for (const state of slugs.values()) {
          const counts = state.counts.get(g);
          if (!counts) continue;
          for (const index of counts.keys()) {
            if (index < first) {
              counts.delete(index);
              buckets++;
            }
          }
        }
      }
      return { buckets };
    },
    async attach(context) {
      const wanted = { timezone: context.calendar.timezone, weekStart: context.calendar.weekStart };
      calendar ??= context.calendar;
      if (!config) config = wanted;
      else if (config.timezone !== wanted.timezone || config.weekStart !== wanted.weekStart) {
        throw new MetricsError(
          "E_INVALID_OPTION",
          `This store keeps buckets for ${config.timezone}/${config.weekStart}, not ${wanted.timezone}/${wanted.weekStart}`,
        );
      }
    },
    async record(op) {
      checkOne(op);
      apply(op);
    },
    async recordBatch(ops, options) {
      if (options?.batchId !== undefined && batches.has(options.batchId)) return;
      checkMany(ops);
      if (options?.batchId !== undefined) batches.add(options.batchId);
      for (const op of ops) apply(op);
    },
    async importBuckets(rows, { batchId }) {
      if (batches.has(batchId)) return;
      batches.add(batchId);
      for (const row of rows) {
        let state = slugs.get(row.slug);
        if (!state) {
          state = {
            counts: new Map(),
            granularities: new Set(),
            categories: new Set(),
            groups: new Set(),
            total: 0,
          };
          slugs.set(row.slug, state);
        }
        state.granularities.add(row.granularity);
        let counts = state.counts.get(row.granularity);
        if (!counts) {
          counts = new Map();
          state.counts.set(row.granularity, counts);
        }
        for (const b of row.buckets) counts.set(b.index, (counts.get(b.index) ?? 0) + b.count);
      }
    },
    read: async (query) => readOne(query),
    readMany: async (queries) => queries.map(readOne),
    async total(slug) {
      return slugs.get(slug)?.total ?? 0;
    },
    async slugInfo(slug): Promise<SlugInfo | null> {
      const state = slugs.get(slug);
      if (!state) return null;
      return {
        slug,
        granularities: stored(state),
        categories: sorted(state.categories),
        groups: sorted(state.groups),
      };
    },
    slugs: async () => sorted(slugs.keys()),
    categories: async () => sorted(categories.keys()),
    categorySlugs: async (category) => sorted(categories.get(category) ?? []),
    groups: async () => sorted(groups.keys()),
    groupSlugs: async (group) => sorted(groups.get(group) ?? []),
    async setGauge(slug, value) {
      gauges.set(slug, value);
    },
    gauge: async (slug) => gauges.get(slug) ?? null,
    gauges: async () => sorted(gauges.keys()).map((slug) => ({ slug, value: gauges.get(slug) as number })),
    async deleteMetric(slug) {
      const state = slugs.get(slug);
      for (const [index, name] of [
        [categories, state?.categories],
        [groups, state?.groups],
      ] as const) {
        for (const key of name ?? []) {
          const set = index.get(key);
          set?.delete(slug);
          if (set?.size === 0) index.delete(key);
        }
      }
      slugs.delete(slug);
      gauges.delete(slug);
      definitions.delete(slug);
    },
    async putDefinition(definition) {
      definitions.set(definition.slug, { ...definition });
    },
    definitions: async () =>
      sorted(definitions.keys()).map((slug) => ({ ...(definitions.get(slug) as MetricDefinition) })),
    ...memoryReports(),
    async dispose() {},
  };
}
