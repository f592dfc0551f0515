/**
 * The temporary app the pack-install test installs the packed tarball into:
 * its package.json (pinning an older hono 4.x, ioredis 5 and bullmq 5 as a
 * user might), and the scripts it runs.
 */

/** The app's package.json: the tarball plus libraries a user may already have. */
export function appPackage(tarball: string): object {
  return {
    name: "tallyboard-install-check",
    version: "1.0.0",
    private: true,
    type: "module",
    dependencies: {
      tallyboard: `file:${tarball}`,
      hono: "4.7.0",
      ioredis: "^5.3.0",
      bullmq: "^5.0.0",
    },
  };
}

/** Every subpath of the exports map, with names each must export. */
export const SUBPATHS: Record<string, string[]> = {
  tallyboard: ["createMetrics", "MetricsError", "memoryStore", "GRANULARITIES"],
  "tallyboard/stores/memory": ["memoryStore"],
  "tallyboard/stores/redis": ["redisStore"],
  "tallyboard/stores/postgres": ["postgresStore"],
  "tallyboard/stores/tiered": ["tieredStore", "archive"],
  "tallyboard/server": ["createApp", "serve", "parseTokens"],
  "tallyboard/reports": ["createReports", "buildReport", "directoryTransport", "smtpTransport"],
};

/** Loads every subpath with `load` and prints `{ missing, total }` as JSON after a memory-store round trip. */
function script(load: (name: string) => string): string {
  return `
const subpaths = ${JSON.stringify(SUBPATHS)};
const missing = [];
const mods = {};
for (const [name, names] of Object.entries(subpaths)) {
  const mod = ${load("name")};
  mods[name] = mod;
  for (const n of names) if (typeof mod[n] === "undefined") missing.push(name + "." + n);
}
const { createMetrics } = mods.tallyboard;
const metrics = createMetrics({ timezone: "UTC" });
Promise.resolve()
  .then(() => metrics.record("signups", { by: 3, at: Date.UTC(2024, 0, 2) }))
  .then(() => metrics.total("signups"))
  .then(async (total) => {
    await metrics.dispose();
    console.log(JSON.stringify({ missing, total }));
  });
`;
}

/** ESM: `import()` of every subpath. */
export const ESM_SCRIPT = script((name) => `await import(${name})`);

/** CommonJS: `require()` of every subpath (Node >= 20.19 loads the ESM build). */
export const CJS_SCRIPT = script((name) => `require(${name})`);

/** A strict-TypeScript app using the library, a store, and the server mounted in the app's own Hono. */
export const APP_TS = `import { Hono } from "hono";
import { createMetrics, MetricsError } from "tallyboard";
import { createApp } from "tallyboard/server";
import { redisStore } from "tallyboard/stores/redis";

const metrics = createMetrics({
  store: redisStore({ url: "redis://127.0.0.1:6379", prefix: "app" }),
  timezone: "Europe/Berlin",
  granularities: { min: "hours", max: "years" },
});

export async function main(): Promise<number> {
  await metrics.record("signups", { by: 2, category: "activity", granularities: { min: "Hourly", max: "y" } });
  const rows = await metrics.history("signups", { from: new Date(0), to: new Date(), granularity: "days" });
  const first: Date | undefined = rows[0]?.start;
  if (!(first instanceof Date)) throw new MetricsError("E_NOT_FOUND", "no rows");
  const parent = new Hono();
  parent.get("/", (c) => c.text("the app"));
  parent.route("/metrics", createApp(metrics));
  return rows.reduce((sum, row) => sum + row.count, 0);
}
`;

/** The TypeScript block under the README's "Quick start in an app" heading. */
export function readmeQuickStart(readme: string): string {
  const section = readme.split(/^## /m).find((s) => s.startsWith("Quick start in an app"));
  const code = section && /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('README.md has no ```ts block under "## Quick start in an app"');
  return code;
}

/** Must not compile: a misspelt granularity. */
export const BAD_TS = `import { createMetrics } from "tallyboard";

const metrics = createMetrics();
export const rows = metrics.history("signups", { from: 0, to: 1, granularity: "dayz" });
`;

/** Strict settings a careful user has; module nodenext reads the exports map as Node does. */
export const TSCONFIG = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    module: "nodenext",
    moduleResolution: "nodenext",
    target: "es2022",
    skipLibCheck: false,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    types: ["node"],
  },
};
