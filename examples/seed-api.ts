// The names of the original Redis metrics module and of django-app-metrics, in TypeScript.
import { createMetrics } from "../src/index.js";

const metrics = createMetrics();

// record_metrics(slug="user_signups", when=datetime(2023,10,10), count=5, category="activity")
await metrics.recordMetrics({
  slug: "user_signups",
  when: new Date("2023-10-10"),
  count: 5,
  category: "activity",
});
// args are joined into the slug: "page_views:en:mobile"
await metrics.recordMetrics({ slug: "page_views", args: ["en", "mobile"], group: "web" });
await metrics.recordMetrics({
  slug: "app_usage",
  count: 10,
  minGranularity: "minutes",
  maxGranularity: "days",
});

const rows = await metrics.getMetrics({
  slug: "user_signups",
  dtStart: new Date("2023-10-01"),
  dtEnd: new Date("2023-10-10"),
  granularity: "hours",
});
console.log(rows.length, await metrics.getCategories(), await metrics.getCategorySlugs("activity"));

// django-app-metrics: create_metric / metric
await metrics.createMetric({ name: "New User Metric", slug: "new_user_signup", unit: "users" });
await metrics.metric("new_user_signup");
await metrics.metric("new_user_signup", 4);
console.log(await metrics.total("new_user_signup"), await metrics.definitions());
await metrics.dispose();
