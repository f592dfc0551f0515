/**
 * A child process of the aggregate proofs: opens a Postgres store in items
 * mode and runs one action given as JSON in argv[2]. Progress and results go
 * to the parent over IPC (process.send).
 *  - {"action":"aggregate", batchSize?} → {type:"progress", done, total}…, {type:"result", …}
 *  - {"action":"record", slugs, count, start} → records `count` items round-robin over `slugs`
 *  - {"action":"attach"} → runs migrations and attaches
 * With "waitForGo": true the child reports {type:"ready"} after attaching and
 * waits for any message from the parent before acting.
 */
import { postgresStore } from "../../src/stores/postgres/index.js";
import { createCalendar, GRANULARITIES } from "../../src/time/index.js";

interface Job {
  action: "aggregate" | "record" | "attach";
  url: string;
  schema: string;
  timezone: string;
  batchSize?: number;
  slugs?: string[];
  count?: number;
  start?: number;
  waitForGo?: boolean;
}

const job = JSON.parse(process.argv[2] ?? "{}") as Job;
const send = (message: object) =>
  new Promise<void>((resolve) => (process.send ? process.send(message, () => resolve()) : resolve()));

const store = postgresStore({ url: job.url, schema: job.schema, mode: "items", maxConnections: 2 });
const calendar = createCalendar({ timezone: job.timezone });
try {
  await store.attach({ calendar });
  if (job.waitForGo) {
    // Start together with siblings: report ready, wait for the parent's "go".
    const go = new Promise<void>((resolve) => process.once("message", () => resolve()));
    await send({ type: "ready" });
    await go;
  }
  if (job.action === "aggregate") {
    const result = await store.aggregate?.({
      ...(job.batchSize !== undefined && { batchSize: job.batchSize }),
      onProgress: (p) => void send({ type: "progress", ...p }),
    });
    await send({ type: "result", ...result });
  } else if (job.action === "record") {
    const slugs = job.slugs ?? ["a"];
    const granularities = GRANULARITIES.slice(0);
    for (let i = 0; i < (job.count ?? 0); i++) {
      const at = (job.start ?? 0) + i * 7_000;
      const slug = slugs[i % slugs.length] as string;
      await store.record({ slug, by: 1, at, buckets: calendar.bucketsAt(at), granularities });
    }
    await send({ type: "result", recorded: job.count });
  } else {
    await send({ type: "result", attached: true });
  }
} catch (error) {
  await send({ type: "error", message: String((error as Error).stack ?? error) });
  process.exitCode = 1;
} finally {
  await store.dispose();
}
