import { createMetrics, type Metrics } from "../core/index.js";
import type { CliContext, GlobalOptions } from "./_context.js";
import { stderrLogger } from "./_errors.js";
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
}

/**
 * Open the store named by `--store` and wrap it in `createMetrics()` with
 * `--timezone`; warnings go to stderr. A PGlite store locks its directory to
 * this process itself: a second process gets `E_STORE_LOCKED` (exit code 1).
 */
export async function openMetrics(globals: GlobalOptions, ctx: CliContext): Promise<OpenMetrics> {
  const spec = parseStoreUrl(globals.store, ctx.cwd);
  const store = await openStore(spec);
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
  return { metrics, spec, where: describeStore(spec), close };
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
  return { now, offsetAt: (t) => metrics.calendar.offsetAt(t) };
}
