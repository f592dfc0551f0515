import type { RecordEvent } from "../core/index.js";
import type { MetricSetOptions } from "../reports/index.js";
import type { GaugeValue, MetricDefinition } from "../stores/types.js";

/** Options of {@link demoData}. */
export interface DemoOptions {
  /** Last instant to generate (epoch ms); nothing is recorded after it. */
  now: number;
  /** Days of history. @default 90 */
  days?: number;
  /** PRNG seed, so a given `now` always gives the same data. @default 42 */
  seed?: number;
}

/** Sample metrics: events to record, gauges to set and metric definitions. */
export interface DemoData {
  events: RecordEvent[];
  gauges: GaugeValue[];
  definitions: MetricDefinition[];
}

/** A slug that marks a store as already seeded. */
export const DEMO_MARKER = "page_views";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface Series {
  slug: string;
  category: string;
  group?: string;
  /** Mean events per hour at the daily peak, before trend and noise. */
  perHour: number;
  /** Relative level per UTC hour 0–23. */
  daily: readonly number[];
  /** Relative level per weekday, Sunday first. */
  weekly: readonly number[];
  /** Growth over the whole period (0.3 = +30 %). */
  trend: number;
}

// Shapes of a day: people browse in the afternoon and evening, shop after work,
// machines run around the clock with a softer curve, mail goes out at 08:00.
const PEOPLE = [2, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 10, 10, 9, 9, 9, 9, 10, 10, 10, 9, 7, 5, 3].map(
  (v) => v / 10,
);
const SHOPPERS = [2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 6, 7, 8, 7, 6, 6, 7, 8, 9, 10, 10, 9, 6, 4].map(
  (v) => v / 10,
);
const MACHINES = [6, 5, 5, 5, 5, 6, 7, 8, 9, 10, 10, 10, 10, 10, 10, 10, 10, 10, 9, 9, 8, 8, 7, 6].map(
  (v) => v / 10,
);
const MAILER = Array.from({ length: 24 }, (_, h) => (h === 8 ? 1 : h === 9 ? 0.2 : 0.01));
const WEEKDAYS = [0.7, 1, 1, 1, 1, 0.95, 0.75];
const WEEKENDS = [1.3, 0.9, 0.9, 0.9, 1, 1.1, 1.35];
const FLAT = [1, 1, 1, 1, 1, 1, 1];

const SERIES: readonly Series[] = [
  {
    slug: "page_views",
    category: "activity",
    group: "web",
    perHour: 900,
    daily: PEOPLE,
    weekly: WEEKDAYS,
    trend: 0.35,
  },
  {
    slug: "user_signups",
    category: "activity",
    group: "web",
    perHour: 8,
    daily: PEOPLE,
    weekly: WEEKDAYS,
    trend: 0.5,
  },
  {
    slug: "logins",
    category: "activity",
    group: "web",
    perHour: 160,
    daily: PEOPLE,
    weekly: WEEKDAYS,
    trend: 0.2,
  },
  {
    slug: "searches",
    category: "activity",
    group: "web",
    perHour: 240,
    daily: PEOPLE,
    weekly: WEEKDAYS,
    trend: 0.25,
  },
  {
    slug: "orders",
    category: "commerce",
    group: "shop",
    perHour: 22,
    daily: SHOPPERS,
    weekly: WEEKENDS,
    trend: 0.3,
  },
  {
    slug: "cart_abandoned",
    category: "commerce",
    group: "shop",
    perHour: 35,
    daily: SHOPPERS,
    weekly: WEEKENDS,
    trend: 0.1,
  },
  {
    slug: "refunds",
    category: "commerce",
    group: "shop",
    perHour: 1,
    daily: SHOPPERS,
    weekly: FLAT,
    trend: 0,
  },
  { slug: "api_requests", category: "system", perHour: 5200, daily: MACHINES, weekly: FLAT, trend: 0.4 },
  { slug: "jobs_processed", category: "system", perHour: 320, daily: MACHINES, weekly: FLAT, trend: 0.15 },
  { slug: "emails_sent", category: "system", perHour: 1400, daily: MAILER, weekly: WEEKDAYS, trend: 0.2 },
];

const DEFINITIONS: readonly MetricDefinition[] = [
  { slug: "page_views", name: "Page views", unit: "views", description: "Pages rendered for visitors" },
  { slug: "user_signups", name: "Sign-ups", unit: "users", description: "New accounts created" },
  { slug: "orders", name: "Orders", unit: "orders", description: "Checkouts completed" },
  { slug: "revenue_eur", name: "Revenue", unit: "EUR", description: "Order value, whole euros" },
  {
    slug: "api_requests",
    name: "API requests",
    unit: "requests",
    description: "HTTP requests served by the API",
  },
  { slug: "api_errors", name: "API errors", unit: "errors", description: "Responses with status 5xx" },
  { slug: "queue_depth", name: "Queue depth", unit: "jobs", description: "Jobs waiting in the queue" },
];

/**
 * Ninety days (by default) of plausible metrics ending at `now`: hourly counts
 * with daily and weekly seasonality, growth, noise, a marketing campaign and an
 * API incident; revenue follows orders and errors follow requests.
 * `api_requests` and `api_errors` also get minute resolution for the last 24 hours.
 * Pure and deterministic for a given `now` and `seed`.
 */
export function demoData(options: DemoOptions): DemoData {
  const days = options.days ?? 90;
  const random = mulberry32(options.seed ?? 42);
  const endHour = Math.floor(options.now / HOUR) * HOUR;
  const firstHour = endHour - days * DAY + HOUR;
  const campaignDay = Math.floor((endHour - 30 * DAY) / DAY);
  const incidentStart = endHour - 12 * DAY - 10 * HOUR;
  const minuteFrom = endHour - 23 * HOUR;
  const events: RecordEvent[] = [];
  const push = (
    slug: string,
    category: string,
    group: string | undefined,
    at: number,
    by: number,
    fine: boolean,
  ) => {
    if (by <= 0) return;
    events.push({
      slug,
      by,
      at,
      category,
      ...(group ? { group } : {}),
      ...(fine ? { granularities: { min: "minutes", max: "years" } } : {}),
    });
  };
  // Spread one hour's count over its minutes (only up to `now`), recorded with minute resolution.
  const perMinute = (slug: string, category: string, hour: number, count: number) => {
    const minutes = Math.min(60, Math.max(1, Math.floor((options.now - hour) / 60_000) + 1));
    for (let m = 0; m < minutes; m++)
      push(slug, category, undefined, hour + m * 60_000, poisson(random, count / 60), true);
  };

  for (let hour = firstHour; hour <= endHour; hour += HOUR) {
    const date = new Date(hour);
    const progress = (hour - firstHour) / (days * DAY);
    const partial = hour === endHour ? Math.min(1, (options.now - hour + 60_000) / HOUR) : 1;
    const campaign = Math.floor(hour / DAY) === campaignDay ? 2.6 : 1;
    let orders = 0;
    let requests = 0;
    for (const s of SERIES) {
      const boost = s.category === "activity" || s.slug === "orders" ? campaign : 1;
      const mean =
        s.perHour *
        (s.daily[date.getUTCHours()] ?? 1) *
        (s.weekly[date.getUTCDay()] ?? 1) *
        (1 + s.trend * progress);
      const count = poisson(random, mean * boost * partial);
      if (s.slug === "orders") orders = count;
      if (s.slug === "api_requests") {
        requests = count;
        if (hour >= minuteFrom) {
          perMinute(s.slug, s.category, hour, count);
          continue;
        }
      }
      push(s.slug, s.category, s.group, hour, count, false);
    }
    let revenue = 0;
    for (let i = 0; i < orders; i++) revenue += Math.round(18 + random() * 60 + (random() < 0.08 ? 150 : 0));
    push("revenue_eur", "commerce", "shop", hour, revenue, false);
    const incident = hour >= incidentStart && hour < incidentStart + 3 * HOUR ? 45 : 1;
    const errors = poisson(random, requests * 0.002 * incident);
    if (hour >= minuteFrom) perMinute("api_errors", "system", hour, errors);
    else push("api_errors", "system", undefined, hour, errors, false);
  }

  const gauges: GaugeValue[] = [
    { slug: "queue_depth", value: 12 + Math.floor(random() * 30) },
    { slug: "active_users", value: 280 + Math.floor(random() * 120) },
    { slug: "disk_used_gb", value: Math.round((41 + random() * 20) * 10) / 10 },
  ];
  return { events, gauges, definitions: DEFINITIONS.map((d) => ({ ...d })) };
}

/** A small seeded PRNG (mulberry32) returning floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A Poisson sample: Knuth's method for small means, a rounded normal approximation above 30. */
function poisson(random: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) {
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    return Math.max(0, Math.round(mean + z * Math.sqrt(mean)));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

/** The metric set `start --demo` creates when absent, so the demo outbox gets a report. */
export const DEMO_SET: Readonly<MetricSetOptions> = {
  name: "Daily overview",
  metrics: ["page_views", "user_signups", "orders", "revenue_eur", "api_errors"],
  recipients: ["team@example.org"],
  schedule: "daily",
  thresholds: { api_errors: { above: 250 } },
};
