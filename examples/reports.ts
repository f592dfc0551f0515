// Metric sets with e-mailed reports (django-app-metrics' MetricSet), written as .eml files.
// Run with: npx tsx examples/reports.ts
import { createMetrics } from "../src/index.js";
import { createReports, directoryTransport } from "../src/reports/index.js";

const day = 86_400_000;
const now = Date.UTC(2024, 4, 2, 9);
const metrics = createMetrics({ timezone: "Europe/Berlin", now: () => now });
await metrics.createMetric({ slug: "signups", name: "Sign-ups", unit: "users" });
await metrics.record("signups", { at: now - day, by: 42 });
await metrics.record("api_errors", { at: now - day, by: 120 });

const reports = createReports(metrics, {
  transport: directoryTransport("./outbox"),
  now: () => now - 2 * day,
});
await reports.createMetricSet({
  name: "Daily overview",
  metrics: ["signups", "api_errors"],
  recipients: ["team@example.org"],
  schedule: "daily",
  thresholds: { api_errors: { above: 100 } },
});
const result = await reports.sendReports({ now }); // run it as often as you like: each period is sent once
console.log(result.sent, result.skipped);
await metrics.dispose();
