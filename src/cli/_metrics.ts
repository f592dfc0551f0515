import { createMetrics, type Metrics } from "../core/index.js";
import type { Store } from "../stores/types.js";
import type { CliContext, GlobalOptions } from "./_context.js";
import { stderrLogger, UsageError } from "./_errors.js";
import type { TimeContext } from "./_parse.js";
import { describeStore, openStore, parseStoreUrl, type StoreSpec } from "./_store.js";

/** An open metrics instance plus what the CLI knows about its store. */
export interface OpenMetrics {
  metrics: Metrics;
  spec: StoreSpec;
  /** Human description of the store, without secrets. */
  where: string;
  /** Dispose the metrics instance (which releases a PGlite directory's lock). Idempotent. */
  close(): Promise<void>;
  /** With `archiveTo`: the two tiers of the tiered store (hot = `--store`, cold = `archiveTo`). */
  tiers?: { hot: Store; cold: Store; where: string };
}

/** Options of {@link openMetrics}. */
export interface OpenMetricsOptions {
  /**
   * A Postgres/PGlite store URL: the `--store` (Redis) becomes the hot tier of
   * a `tieredStore()` and this one the cold tier that `archive()` fills.
   */
  archiveTo?: string;
}

/**
 * Open the store named by `--store` and wrap it in `createMetrics()` with
 * `--timezone`; warnings go to stderr. A PGlite store locks its directory to
 * this process itself: a second process gets `E_STORE_LOCKED` (exit code 1).
 */
export async function openMetrics(
  globals: GlobalOptions,
  ctx: CliContext,
  options: OpenMetricsOptions = {},
): Promise<OpenMetrics> {
  const spec = parseStoreUrl(globals.store, ctx.cwd);
  const coldSpec = options.archiveTo === undefined ? undefined : parseStoreUrl(options.archiveTo, ctx.cwd);
  if (coldSpec) {
    if (spec.kind !== "redis")
      throw new UsageError(
        `--archive-to needs a redis:// --store to archive from, got ${describeStore(spec)}`,
      );
    if (coldSpec.kind !== "postgres" && coldSpec.kind !== "pglite")
      throw new UsageError(
        `--archive-to must be a postgres:// or pglite: store, got ${describeStore(coldSpec)}`,
      );
  }
  const hot = await openStore(spec);
  let tiers: OpenMetrics["tiers"];
  let store = hot;
  if (coldSpec) {
    const cold = await openStore(coldSpec);
    const { tieredStore } = await import("../stores/tiered/index.js");
    store = tieredStore({ hot, cold });
    tiers = { hot, cold, where: describeStore(coldSpec) };
  }
  let metrics: Metrics;
  try {
    metrics = createMetrics({ store, timezone: globals.timezone, logger: stderrLogger(ctx) });
  } catch (error) {
    await store.dispose();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= metrics.dispose();
    return closing;
  };
  const where = tiers ? `${describeStore(spec)}, archived to ${tiers.where}` : describeStore(spec);
  return { metrics, spec, where, close, ...(tiers && { tiers }) };
}

/** Run `fn` with an open metrics instance and always close it afterwards. */
export async function withMetrics<T>(
  globals: GlobalOptions,
  ctx: CliContext,
  fn: (open: OpenMetrics) => Promise<T>,
): Promise<T> {
  const open = await openMetrics(globals, ctx);
  try {
    return await fn(open);
  } finally {
    await open.close();
  }
}

/** The {@link TimeContext} for resolving `--at`/`--from`/`--to` in the metrics' zone. */
export function timeContext(metrics: Metrics, now: number): TimeContext {
  return { now, timezone: metrics.calendar.timezone };
}
