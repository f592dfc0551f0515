// Type-checked by `npm test` (tsc includes examples/). Run with: npx tsx examples/quickstart.ts
import { createMetrics } from "../src/index.js";

const metrics = createMetrics({ timezone: "Europe/London" }); // memory store by default

await metrics.record("signups", { by: 5, category: "activity" });
await metrics.record("page_views");
await metrics.setGauge("queue_depth", 17);

const rows = await metrics.history("signups", { from: Date.now() - 86_400_000, granularity: "hours" });
console.log(
  rows.filter((r) => r.count > 0),
  await metrics.categorySlugs("activity"),
);
await metrics.dispose();
