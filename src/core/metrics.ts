import { describeValue, MetricsError } from "../errors.js";
import { keptFrom } from "../stores/_retention.js";
import { memoryStore } from "../stores/memory/index.js";
import type { RecordOp } from "../stores/types.js";
import { createCalendar, parseGranularity, parseInstant } from "../time/index.js";
import { historiesOf, readCounts, toRows } from "./_history.js";
import { DISPOSE, EVENT, HISTORY } from "./_keys.js";
import { checkDefinition, checkMetricsOptions, checkStore, makeCapture } from "./_options.js";
import { createRecordPath } from "./_record.js";
import { checkKeys } from "./_schema.js";
import { seedMethods } from "./_seed.js";
import { DEFAULT_MAX_SLUGS, metricCaps, underCap } from "./_slugs.js";
import { checkAggregateOptions, checkName, checkPositive, createRangeResolver } from "./_validate.js";
import type { HistoryRow, Metrics, MetricsOptions, RecordOptions } from "./types.js";

const DEFAULT_MAX_POINTS = 100_000;
const RESOLVED = Promise.resolve();

/**
 * Create a metrics instance. Throws `MetricsError` at once for bad options;
 * every method returns a promise and reports bad input (a bad value, an
 * unknown option key) by rejecting it, before any I/O.
 *
 * @example
 * const metrics = createMetrics({ timezone: "Europe/London" });
 * await metrics.record("signups", { by: 5, category: "activity" });
 * const rows = await metrics.history("signups", { from: "2024-01-01", granularity: "days" });
 */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  checkMetricsOptions(options);
  const store = options.store === undefined ? memoryStore() : checkStore(options.store);
  const calendar = createCalendar({
    ...(options.timezone !== undefined && { timezone: options.timezone }),
    ...(options.weekStart !== undefined && { weekStart: options.weekStart }),
  });
  const timezone = calendar.timezone;
  const resolveRange = createRangeResolver(options.granularities);
  resolveRange(undefined); // validates the defaults now
  const maxPoints = checkPositive(options.maxPoints, "maxPoints") ?? DEFAULT_MAX_POINTS;
  const maxSlugs = checkPositive(options.maxSlugs, "maxSlugs", true) ?? DEFAULT_MAX_SLUGS;
  const now = options.now ?? Date.now;
  const capture = makeCapture(options, store, calendar);
  const { counters: cap, gauges: gaugeCap, definitions: definitionCap } = metricCaps(store, maxSlugs, now);

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
    attaching ??= store
      .attach({ calendar, ...(options.logger && { logger: options.logger }) })
      .then(() => cap.load())
      .then(
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

  /** A validated record; `E_INVALID_*` for any bad argument or unknown option key. */
  const toOp = createRecordPath({ calendar, now, resolveRange });

  /** Hand `ops` to the capture, admitting new slugs under `maxSlugs` first (all or none). */
  const write = (ops: readonly RecordOp[], one: boolean): Promise<void> =>
    underCap(
      cap,
      ops.map((op) => op.slug),
      () => (one ? capture.record(ops[0] as RecordOp) : capture.recordMany(ops)),
    );

  const recordAsync = async (slug: string, o?: RecordOptions): Promise<void> => {
    const op = toOp(slug, o);
    if (!attached) await ready();
    else if (disposing) throw new MetricsError("E_DISPOSED", "This metrics instance was disposed");
    if (cap.knows(op.slug)) await capture.record(op);
    else await write([op], true);
  };
  // The fast path once attached: no async function between the caller and the
  // capture. Buffered/queue capture accepts a known slug synchronously (one
  // shared resolved promise); direct capture returns the store's promise.
  const add = capture.add;
  const record = (slug: string, o?: RecordOptions): Promise<void> => {
    if (!attached) return recordAsync(slug, o);
    let op: RecordOp;
    try {
      op = toOp(slug, o);
      if (cap.knows(op.slug)) {
        if (add !== undefined) {
          add(op);
          return RESOLVED;
        }
        if (!disposing) return capture.record(op);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    // A slug this instance has not seen yet goes through the maxSlugs check first.
    return disposing
      ? Promise.reject(new MetricsError("E_DISPOSED", "This metrics instance was disposed"))
      : write([op], true);
  };

  /** The buckets a history query reads; validates everything first. */
  const query = (slug: unknown, options: unknown) => {
    checkName(slug);
    const o = checkKeys(options, HISTORY, false);
    const granularity = parseGranularity(o.granularity);
    const from = parseInstant(o.from, timezone, "range start (from)");
    const to = parseInstant(o.to === undefined ? now() : o.to, timezone, "range end (to)");
    return { granularity, buckets: calendar.range(granularity, from, to, maxPoints) };
  };

  const history = async (slug: string, o: unknown): Promise<HistoryRow[]> => {
    const { granularity, buckets } = query(slug, o);
    await ready();
    return toRows(buckets, await readCounts(store, calendar, slug, granularity, buckets, now()));
  };

  /** Wrap a one-name method so the name is checked before the store is reached. */
  const byName =
    <T>(what: string, read: (name: string) => Promise<T>) =>
    async (name: string): Promise<T> => {
      checkName(name, what);
      await ready();
      return read(name);
    };

  const metrics: Metrics = {
    store,
    calendar,
    record,
    async recordMany(events) {
      if (!Array.isArray(events)) {
        throw new MetricsError(
          "E_INVALID_OPTION",
          `recordMany() needs an array, got ${describeValue(events)}`,
        );
      }
      const ops: RecordOp[] = [];
      // A plain loop: map() would skip the holes of a sparse array.
      for (let i = 0; i < events.length; i++) {
        try {
          const o = checkKeys(events[i], EVENT, false);
          ops.push(toOp(o.slug, o, EVENT));
        } catch (error) {
          if (!(error instanceof MetricsError)) throw error;
          throw new MetricsError(error.code, `events[${i}]: ${error.message}`, { cause: error });
        }
      }
      await ready();
      if (ops.length > 0) await write(ops, false);
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
      const { granularity, buckets } = query(slugs[0] ?? "x", o);
      await ready();
      return historiesOf(store, calendar, slugs, { granularity, buckets }, now());
    },
    total: byName("slug", (slug) => store.total(slug)),
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
    categorySlugs: byName("category", (category) => store.categorySlugs(category)),
    groups: afterReady(() => store.groups()),
    groupSlugs: byName("group", (group) => store.groupSlugs(group)),
    slugInfo: byName("slug", (slug) => store.slugInfo(slug)),
    async setGauge(slug, value) {
      checkName(slug);
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new MetricsError(
          "E_INVALID_COUNT",
          `Invalid gauge value ${describeValue(value)}: expected a finite number`,
        );
      }
      await ready();
      await underCap(gaugeCap, [slug], () => store.setGauge(slug, value));
    },
    gauge: byName("slug", (slug) => store.gauge(slug)),
    gauges: afterReady(() => store.gauges()),
    deleteMetric: byName("slug", async (slug) => {
      await capture.flush();
      await store.deleteMetric(slug);
      cap.forget(slug);
      gaugeCap.forget(slug);
      definitionCap.forget(slug);
    }),
    async createMetric(definition) {
      const clean = checkDefinition(definition);
      await ready();
      await underCap(definitionCap, [clean.slug], () => store.putDefinition(clean));
      return clean;
    },
    metric: async (slug, num = 1) => record(slug, { by: num }),
    definitions: afterReady(() => store.definitions()),
    async aggregate(options) {
      checkAggregateOptions(options);
      await ready();
      if (!store.aggregate) {
        throw new MetricsError("E_UNSUPPORTED", `The ${store.kind} store has no raw items to aggregate`);
      }
      await capture.flush();
      return store.aggregate(options);
    },
    async flush() {
      if (disposedDone) throw new MetricsError("E_DISPOSED", "This metrics instance was disposed");
      if (!disposing) await ready();
      await capture.flush();
    },
    captureStats: () => capture.stats(),
    ...seedMethods(record, history),
    getCategorySlugs: (category) => metrics.categorySlugs(category),
    getCategories: () => metrics.categories(),
    dispose(options) {
      let o: { discard?: boolean };
      try {
        o = checkKeys(options, DISPOSE) as { discard?: boolean };
        if (o.discard !== undefined && typeof o.discard !== "boolean") {
          throw new MetricsError(
            "E_INVALID_OPTION",
            `discard must be a boolean, got ${describeValue(o.discard)}`,
          );
        }
      } catch (error) {
        return Promise.reject(error);
      }
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
