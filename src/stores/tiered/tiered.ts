import { describeValue, MetricsError } from "../../errors.js";
import { GRANULARITIES, type Granularity } from "../../time/index.js";
import type { AggregateResult, ReadResult, SlugInfo, Store } from "../types.js";

/** Options of {@link tieredStore}. */
export interface TieredStoreOptions {
  /** Where records are written and recent buckets live (e.g. `redisStore()`). */
  hot: Store;
  /** Where {@link archive} moves old buckets (e.g. `postgresStore()`). */
  cold: Store;
}

const union = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])].sort();

function checkStore(name: string, value: unknown): Store {
  const store = value as Partial<Store> | null;
  if (
    store === null ||
    typeof store !== "object" ||
    typeof store.read !== "function" ||
    typeof store.record !== "function" ||
    typeof store.attach !== "function"
  ) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `tieredStore() needs a store as ${name}, got ${describeValue(value)}`,
    );
  }
  return store as Store;
}

/**
 * A store in two tiers: records go to `hot`; reads (history, totals, listings,
 * reports, the dashboard) add up both tiers, asking each once and in parallel.
 * {@link archive} moves buckets older than a boundary from hot to cold.
 * Gauges, definitions, metric sets and report claims live in the hot store.
 *
 * A read that runs while `archive()` is moving the very chunk it reads may
 * miss that chunk's counts for the few milliseconds between its rename and its
 * arrival in the cold store; totals (`total()`) are never affected.
 *
 * @example
 * const metrics = createMetrics({
 *   store: tieredStore({ hot: redisStore({ url }), cold: postgresStore({ url: pgUrl }) }),
 * });
 */
export function tieredStore(options: TieredStoreOptions): Store {
  if (options === null || typeof options !== "object") {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `tieredStore() needs { hot, cold }, got ${describeValue(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (key !== "hot" && key !== "cold") {
      throw new MetricsError(
        "E_INVALID_OPTION",
        `Unknown tieredStore() option ${describeValue(key)}; use hot or cold`,
      );
    }
  }
  const hot = checkStore("hot", options.hot);
  const cold = checkStore("cold", options.cold);
  if (hot === cold) throw new MetricsError("E_INVALID_OPTION", "tieredStore() needs two different stores");
  const both = <T>(work: (store: Store) => Promise<T>): Promise<[T, T]> =>
    Promise.all([work(hot), work(cold)]);
  const mergeInfo = (a: SlugInfo | null, b: SlugInfo | null): SlugInfo | null => {
    if (!a || !b) return a ?? b;
    const stored = new Set<Granularity>([...a.granularities, ...b.granularities]);
    return {
      slug: a.slug,
      granularities: GRANULARITIES.filter((g) => stored.has(g)),
      categories: union(a.categories, b.categories),
      groups: union(a.groups, b.groups),
    };
  };
  const mergeRead = (h: ReadResult, c: ReadResult): ReadResult => {
    const stored =
      h.stored || c.stored
        ? GRANULARITIES.filter((g) => h.stored?.includes(g) || c.stored?.includes(g))
        : null;
    return { counts: h.counts.map((n, i) => n + (c.counts[i] ?? 0)), stored };
  };
  const aggregators = [hot, cold].filter((s) => typeof s.aggregate === "function");

  const store: Store = {
    kind: "tiered",
    async attach(context) {
      await both((s) => s.attach(context));
    },
    // Old buckets live in the cold tier, so its retention is what reads honour.
    ...(cold.retention && { retention: cold.retention }),
    async prune(now) {
      const results = await Promise.all([hot.prune?.(now), cold.prune?.(now)]);
      return { buckets: results.reduce((sum, r) => sum + (r?.buckets ?? 0), 0) };
    },
    record: (op) => hot.record(op),
    recordBatch: (ops, batchOptions) => hot.recordBatch(ops, batchOptions),
    async read(query) {
      const [h, c] = await both((s) => s.read(query));
      return mergeRead(h, c);
    },
    // One readMany() per tier (one round trip to each where the tier has it), in parallel.
    async readMany(queries) {
      const [h, c] = await both((s) =>
        s.readMany ? s.readMany(queries) : Promise.all(queries.map((q) => s.read(q))),
      );
      return h.map((r, i) => mergeRead(r, c[i] as ReadResult));
    },
    async total(slug) {
      const [h, c] = await both((s) => s.total(slug));
      return h + c;
    },
    async slugInfo(slug) {
      const [h, c] = await both((s) => s.slugInfo(slug));
      return mergeInfo(h, c);
    },
    slugs: async () => union(...(await both((s) => s.slugs()))),
    categories: async () => union(...(await both((s) => s.categories()))),
    categorySlugs: async (category) => union(...(await both((s) => s.categorySlugs(category)))),
    groups: async () => union(...(await both((s) => s.groups()))),
    groupSlugs: async (group) => union(...(await both((s) => s.groupSlugs(group)))),
    setGauge: (slug, value) => hot.setGauge(slug, value),
    gauge: (slug) => hot.gauge(slug),
    gauges: () => hot.gauges(),
    async deleteMetric(slug) {
      await both((s) => s.deleteMetric(slug));
    },
    putDefinition: (definition) => hot.putDefinition(definition),
    definitions: () => hot.definitions(),
    putMetricSet: (set) => hot.putMetricSet(set),
    metricSets: () => hot.metricSets(),
    deleteMetricSet: (name) => hot.deleteMetricSet(name),
    claimReport: (...args: Parameters<Store["claimReport"]>) => hot.claimReport(...args),
    completeReport: (...args: Parameters<Store["completeReport"]>) => hot.completeReport(...args),
    releaseReport: (...args: Parameters<Store["releaseReport"]>) => hot.releaseReport(...args),
    async dispose() {
      await Promise.allSettled([hot.dispose(), cold.dispose()]);
    },
  };
  if (aggregators.length > 0) {
    store.aggregate = async (aggregateOptions) => {
      const total: AggregateResult = { items: 0, buckets: 0, batches: 0 };
      for (const s of aggregators) {
        const r = await s.aggregate?.(aggregateOptions);
        if (r) {
          total.items += r.items;
          total.buckets += r.buckets;
          total.batches += r.batches;
        }
      }
      return total;
    };
  }
  return Object.assign(store, { hot, cold });
}
