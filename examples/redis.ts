// Redis store with retention, buffered capture and a Cluster-ready layout.
// Run with: npx tsx examples/redis.ts (needs Redis on 127.0.0.1:6379)
import { createMetrics } from "../src/index.js";
import { redisStore } from "../src/stores/redis/index.js";

const metrics = createMetrics({
  store: redisStore({
    url: "redis://127.0.0.1:6379",
    prefix: "example",
    retention: { minutes: "2d", hours: "90d" },
  }),
  timezone: "America/New_York",
  capture: { mode: "buffered", flushMs: 1000 }, // sums in memory, one batch per second, applied exactly once
});

await metrics.record("api_requests", { category: "api", granularities: { min: "minutes", max: "days" } });
await metrics.flush();
const lastHour = await metrics.history("api_requests", {
  from: Date.now() - 3_600_000,
  granularity: "minutes",
});
console.log(lastHour.reduce((sum, row) => sum + row.count, 0));
await metrics.deleteMetric("api_requests");
await metrics.dispose();
