// Postgres in items mode (django-app-metrics style): every metric() stores a raw
// item; aggregate() folds items into rollups and is safe to run at any time.
// Run with: npx tsx examples/postgres.ts (PGlite in memory; use a postgres:// URL for a server)
import { createMetrics } from "../src/index.js";
import { postgresStore } from "../src/stores/postgres/index.js";

const metrics = createMetrics({
  store: postgresStore({ url: "pglite:memory", schema: "metrics", mode: "items" }),
});

await metrics.createMetric({ name: "New User Metric", slug: "new_user_signup", unit: "users" });
await metrics.metric("new_user_signup");
await metrics.metric("new_user_signup", 4);
console.log(await metrics.total("new_user_signup")); // 5 — reads include items not yet aggregated
const folded = await metrics.aggregate({ onProgress: ({ done, total }) => console.log(`${done}/${total}`) });
console.log(folded.items, await metrics.total("new_user_signup")); // 2 5
await metrics.dispose();
