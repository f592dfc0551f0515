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
}

/** Open the store named by `--store` and wrap it in `createMetrics()` with `--timezone`; warnings go to stderr. */
export async function openMetrics(globals: GlobalOptions, ctx: CliContext): Promise<OpenMetrics> {
  const spec = parseStoreUrl(globals.store, ctx.cwd);
  const logger = stderrLogger(ctx);
  const store = await openStore(spec);
  try {
    const metrics = createMetrics({ store, timezone: globals.timezone, logger });
    return { metrics, spec, where: describeStore(spec) };
  } catch (error) {
    await store.dispose();
    throw error;
  }
}

/** Run `fn` with an open metrics instance and always dispose it afterwards. */
export async function withMetrics<T>(
  globals: GlobalOptions,
  ctx: CliContext,
  fn: (open: OpenMetrics) => Promise<T>,
): Promise<T> {
  const open = await openMetrics(globals, ctx);
  try {
    return await fn(open);
  } finally {
    await open.metrics.dispose();
  }
}

/** The {@link TimeContext} for resolving `--at`/`--from`/`--to` in the metrics' zone. */
export function timeContext(metrics: Metrics, now: number): TimeContext {
  return { now, offsetAt: (t) => metrics.calendar.offsetAt(t) };
}
