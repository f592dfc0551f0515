// Queue capture, the Celery analog: the app enqueues summed batches on BullMQ,
// a worker (this process here; usually `tallyboard worker --store URL`) writes
// them into any store. Needs bullmq and ioredis installed and a Redis.
// Run with: npx tsx examples/queue.ts
import { createMetrics, startWorker } from "../src/index.js";
import { redisStore } from "../src/stores/redis/index.js";

const connection = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const store = redisStore({ url: connection, prefix: "example-queue" });
const worker = await startWorker({ connection, store, concurrency: 4 });

const app = createMetrics({ capture: { mode: "queue", connection, flushMs: 500 } });
for (let i = 0; i < 1000; i++) await app.record("page_views"); // summed in memory
console.log(await app.captureStats()); // { mode: "queue", pendingSums: 1, …, queue: { waiting, … } }
await app.dispose(); // enqueues what is left; retry it if Redis is down

while ((await worker.depth()).waiting + (await worker.depth()).active > 0) {
  await new Promise((resolve) => setTimeout(resolve, 50));
}
await worker.close();
const reader = createMetrics({ store });
console.log(await reader.total("page_views")); // 1000 more than before
await reader.dispose();
