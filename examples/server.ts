// The HTTP API and dashboard on any store.
// Run with: npx tsx examples/server.ts, then open http://127.0.0.1:8787/
import { createMetrics } from "../src/index.js";
import { createApp, serve } from "../src/server/index.js";

const metrics = createMetrics();
const app = createApp(metrics, {
  auth: { tokens: [{ token: "change-me-to-a-long-random-string", scopes: ["read", "write"] }] },
});
const server = await serve(app, { port: 8787 });
console.log(`dashboard: ${server.url}?token=change-me-to-a-long-random-string`);
process.once("SIGINT", async () => {
  await server.close();
  await metrics.dispose();
});
