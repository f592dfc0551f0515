import { describeValue, MetricsError } from "../errors.js";
import { keptFrom } from "../stores/_retention.js";
import { memoryStore } from "../stores/memory/index.js";
import type { RecordOp } from "../stores/types.js";
import { createCalendar, parseGranularity } from "../time/index.js";
import { readCounts } from "./_history.js";
import { checkDefinition, makeCapture } from "./_options.js";
import { checkCount, checkName, createRangeResolver, toInstant } from "./_validate.js";
import type {
  HistoryOptions,
  HistoryRow,
  Metrics,
  MetricsOptions,
  RecordEvent,
  RecordOptions,
} from "./types.js";

const DEFAULT_MAX_POINTS = 100_000;
const RESOLVED = Promise.resolve();

/**
 * Create a metrics instance. Throws `MetricsError` at once for bad options;
 * every method returns a promise and reports bad input by rejecting it, before
 * any I/O.
 *
 * @example
 * const metrics = createMetrics({ timezone: "Europe/London" });
 * await metrics.record("signups", { by: 5, category: "activity" });
 * const rows = await metrics.history("signups", { from: "2024-01-01", granularity: "days" });
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const store = options.store ?? memoryStore();
  const calendar = createCalendar({
    ...(options.timezone !== undefined && { timezone: options.timezone }),
    ...(options.weekStart !== undefined && { weekStart: options.weekStart }),
  });
  const resolveRange = createRangeResolver(options.granularities ?? {});
  resolveRange(undefined); // validates the defaults now
  const maxPoints = options.maxPoints ?? DEFAULT_MAX_POINTS;
  if (!Number.isSafeInteger(maxPoints) || maxPoints < 1) {
    throw new MetricsError(
      "E_INVALID_OPTION",
      `maxPoints must be a positive integer, got ${describeValue(maxPoints)}`,
    );
  }
  const now = options.now ?? Date.now;
  const capture = makeCapture(options, store, calendar);

  let attached = false;
  let attaching: Promise<void> | undefined;
  // Capture lifecycle (docs/capture.md): the first dispose() refuses new work;
  // a failed one keeps the buffer, and dispose()/flush() may be called again.
  let disposing = false;
  let disposeRun: Promise<void> | undefined;
  let disposedDone = false;
  const ready = async (): Promise<void> => {
    if (disposing) throw new MetricsError("E_DISPOSED", "This metrics instance was disposed");
    if (attached) return;
    attaching ??= store.attach({ calendar, ...(options.logger && { logger: options.logger }) }).then(
      () => {
        attached = true;
      },
      (error: unknown) => {
        attaching = undefined;
        throw error;
      },
    );
    await attaching;
  };

  /** Wrap a no-argument read so it waits for the store to be attached. */
  const afterReady =
    <T>(read: () => Promise<T>) =>
    async (): Promise<T> => {
      await ready();
      return read();
    };

  const toOp = (slug: string, o: RecordOptions = {}): RecordOp => {
    checkName(slug);
    const by = o.by === undefined ? 1 : checkCount(o.by, "count (by)");
    const at = toInstant(o.at, now, "time (at)");
    const op: RecordOp = {
      slug,
      by,
      at,
      buckets: calendar.bucketsAt(at),
      granularities: resolveRange(o.granularities),
    };
    if (o.category !== undefined) op.category = checkName(o.category, "category");
    if (o.group !== undefined) op.group = checkName(o.group, "group");
    return op;
  };

  const history = async (slug: string, o: HistoryOptions): Promise<HistoryRow[]> => {
    checkName(slug);
    if (o === null || typeof o !== "object") {
      throw new MetricsError(
        "E_INVALID_OPTION",
        `history() needs { from, to?, granularity }, got ${describeValue(o)}`,
      );
    }
    const granularity = parseGranularity(o.granularity);
    const from = toInstant(o.from ?? Number.NaN, now, "range start (from)");
    const to = toInstant(o.to, now, "range end (to)");
    const buckets = calendar.range(granularity, from, to, maxPoints);
    await ready();
    const counts = await readCounts(store, calendar, slug, granularity, buckets, now());
    return buckets.map((b, i) => ({ start: new Date(b.start), count: counts[i] ?? 0 }));
  };

  const recordAsync = async (slug: string, o?: RecordOptions): Promise<void> => {
    const op = toOp(slug, o);
    if (!attached) await ready();
    else if (disposing) throw new MetricsError("E_DISPOSED", "This metrics instance was disposed");
    await capture.record(op);
  };
  // Buffered/queue fast path: accepted synchronously, one shared resolved promise.
  const add = capture.add;
  const record = (slug: string, o?: RecordOptions): Promise<void> => {
    if (add === undefined || !attached) return recordAsync(slug, o);
    try {
      add(toOp(slug, o));
    } catch (error) {
      return Promise.reject(error);
    }
    return RESOLVED;
  };

  const metrics: Metrics = {
    store,
    calendar,
    record,
    async recordMany(events: readonly RecordEvent[]) {
      if (!Array.isArray(events)) {
        throw new MetricsError(
          "E_INVALID_OPTION",
          `recordMany() needs an array, got ${describeValue(events)}`,
        );
      }
      const ops = events.map((e) => toOp(e?.slug, e));
      await ready();
      await capture.recordMany(ops);
    },
    history,
    async historyMany(slugs, o) {
      if (!Array.isArray(slugs)) {
        throw new MetricsError(
          "E_INVALID_OPTION",
          `historyMany() needs an array of slugs, got ${describeValue(slugs)}`,
        );
      }
      for (const slug of slugs) checkName(slug);
      const rows = await Promise.all(slugs.map((slug) => history(slug, o)));
      return Object.fromEntries(slugs.map((slug, i) => [slug, rows[i] as HistoryRow[]]));
    },
    async total(slug) {
      checkName(slug);
      await ready();
      return store.total(slug);
    },
    async prune() {
      await ready();
      return (await store.prune?.(now())) ?? { buckets: 0 };
    },
    keptFrom(granularity) {
      const from = keptFrom(calendar, store.retention, parseGranularity(granularity), now());
      return from === undefined ? null : new Date(from);
    },
    slugs: afterReady(() => store.slugs()),
    categories: afterReady(() => store.categories()),
    async categorySlugs(category) {
      checkName(category, "category");
      await ready();
      return store.categorySlugs(category);
    },
    groups: afterReady(() => store.groups()),
    async groupSlugs(group) {
      checkName(group, "group");
      await ready();
      return store.groupSlugs(group);
    },
    async slugInfo(slug) {
      checkName(slug);
      await ready();
      return store.slugInfo(slug);
    },
    async setGauge(slug, value) {
      checkName(slug);
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new MetricsError(
          "E_INVALID_COUNT",
          `Invalid gauge value ${describeValue(value)}: expected a finite number`,
        );
      }
      await ready();
      await store.setGauge(slug, value);
    },
    async gauge(slug) {
      checkName(slug);
      await ready();
      return store.gauge(slug);
    },
    gauges: afterReady(() => store.gauges()),
    async deleteMetric(slug) {
      checkName(slug);
      await ready();
      await capture.flush();
      await store.deleteMetric(slug);
    },
    async createMetric(definition) {
      const clean = checkDefinition(definition);
      await ready();
      await store.putDefinition(clean);
      return clean;
    },
    metric: (slug, num = 1) => record(slug, { by: num }),
    definitions: afterReady(() => store.definitions()),
    async aggregate(o) {
      await ready();
      if (!store.aggregate) {
        throw new MetricsError("E_UNSUPPORTED", `The ${store.kind} store has no raw items to aggregate`);
      }
      await capture.flush();
      return store.aggregate(o);
    },
    async flush() {
      if (disposedDone) throw new MetricsError("E_DISPOSED", "This metrics instance was disposed");
      if (!disposing) await ready();
      await capture.flush();
    },
    captureStats: () => capture.stats(),
    async recordMetrics(o) {
      if (o === null || typeof o !== "object") {
        throw new MetricsError(
          "E_INVALID_OPTION",
          `recordMetrics() needs an options object, got ${describeValue(o)}`,
        );
      }
      const args = o.args ?? [];
      if (!Array.isArray(args))
        throw new MetricsError("E_INVALID_SLUG", `args must be an array, got ${describeValue(args)}`);
      const slug = [checkName(o.slug), ...args.map(String)].join(":");
      await record(slug, {
        by: o.count ?? 1,
        ...(o.when !== undefined && { at: o.when }),
        ...(o.category !== undefined && { category: o.category }),
        ...(o.group !== undefined && { group: o.group }),
        granularities: {
          ...(o.minGranularity !== undefined && { min: o.minGranularity }),
          ...(o.maxGranularity !== undefined && { max: o.maxGranularity }),
        },
      });
    },
    getMetrics: (o) =>
      history(o?.slug, { from: o?.dtStart, to: o?.dtEnd ?? Number.NaN, granularity: o?.granularity }),
    getCategorySlugs: (category) => metrics.categorySlugs(category),
    getCategories: () => metrics.categories(),
    dispose(o = {}) {
      disposing = true;
      if (o.discard && disposeRun) capture.dispose({ discard: true }).catch(() => undefined);
      disposeRun ??= (async () => {
        await capture.dispose(o);
        await store.dispose();
        disposedDone = true;
      })().catch((error: unknown) => {
        disposeRun = undefined;
        throw error;
      });
      return disposeRun;
    },
  };
  return metrics;
}
