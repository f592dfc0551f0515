/**
 * A worker process for the SIGKILL test: writes into a Redis store and, after
 * each batch is written, prints `written <batchId>` and holds the job for
 * HOLD_MS before BullMQ hears it completed — the window in which the test
 * kills it. Configured by environment variables.
 */
import { startWorker } from "../../src/capture/index.js";
import { redisStore } from "../../src/stores/redis/index.js";
import type { Store } from "../../src/stores/types.js";

const env = (name: string): string => {
  const v = process.env[name];
  if (v === undefined) throw new Error(`${name} is not set`);
  return v;
};
const inner = redisStore({ url: env("STORE_URL"), prefix: env("STORE_PREFIX") });
const store: Store = {
  ...inner,
  async recordBatch(ops, options) {
    await inner.recordBatch(ops, options);
    process.stdout.write(`written ${options?.batchId}\n`);
    await new Promise((resolve) => setTimeout(resolve, Number(env("HOLD_MS"))));
  },
};
await startWorker({
  connection: env("QUEUE_URL"),
  prefix: env("QUEUE_PREFIX"),
  store,
  concurrency: 2,
  lockDurationMs: 1500,
  stalledIntervalMs: 500,
});
process.stdout.write("ready\n");
