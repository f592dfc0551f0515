/**
 * A child process of the PGlite lock tests: opens `pglite:<argv[2]>` through
 * createMetrics, records `argv[3]` once, then reports over IPC and follows
 * the parent's orders:
 *  → {type:"ready", pid} or {type:"error", code, message}
 *  ← "record" → records once more, answers {type:"recorded"}
 *  ← "dispose" → disposes, answers {type:"disposed"} and stays alive
 *  ← "exit" → process.exit(0) without disposing (the exit hook must unlock)
 */
import { createMetrics } from "../../src/core/index.js";
import { MetricsError } from "../../src/errors.js";
import { postgresStore } from "../../src/stores/postgres/index.js";

const [dir, slug = "child"] = process.argv.slice(2);
const send = (message: object) =>
  new Promise<void>((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));

const metrics = createMetrics({ store: postgresStore({ url: `pglite:${dir}` }) });
try {
  await metrics.record(slug);
  await send({ type: "ready", pid: process.pid });
} catch (error) {
  const code = error instanceof MetricsError ? error.code : "unknown";
  await send({ type: "error", code, message: (error as Error).message });
  process.exit(0);
}

process.on("message", async (order) => {
  if (order === "record") {
    await metrics.record(slug);
    await send({ type: "recorded" });
  } else if (order === "dispose") {
    await metrics.dispose();
    await send({ type: "disposed" });
  } else if (order === "exit") {
    process.exit(0);
  }
});
