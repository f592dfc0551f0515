/**
 * Startup section: how long a user waits for the CLI on the default embedded
 * store, beside PGlite's own floor measured in the same run the same way (a
 * fresh `node` process: import PGlite, open the directory, `select 1`).
 *
 * - `start`: from spawning `tallyboard start --port 0` to the first 200 from
 *   /api/v1/healthz (the URL is printed only once the store is open);
 * - `record`: one `tallyboard record` from spawn to exit;
 * - each on a fresh directory (PGlite's initdb plus tallyboard's migrations)
 *   and on an existing one; median of a few runs.
 * Runs the built CLI (`npm run build` first), as `npx tallyboard` would.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type Timed, timeExit, timeReady, timeStart } from "./_startup.js";
import type { BenchContext, BenchRow, BenchSection } from "./_types.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const MAIN = join(ROOT, "dist/cli/main.js");
const TARGET = 1.5;

/** PGlite alone: import, open `dir`, one query; prints "ready" then closes. */
const FLOOR = `
const { PGlite } = await import("@electric-sql/pglite");
const db = await PGlite.create(process.argv[1]);
await db.query("select 1");
process.stdout.write("ready\\n");
await db.close();`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

export async function run(ctx: BenchContext): Promise<BenchSection> {
  ctx.log("startup: npm run build");
  await promisify(execFile)("npm", ["run", "build", "--silent"], { cwd: ROOT });
  const reps = ctx.scale < 1 ? 1 : 3;
  const work = await mkdtemp(join(tmpdir(), "tallyboard-bench-startup-"));
  const samples: Record<string, number[]> = {};
  const add = (key: string, t: Timed) => {
    samples[key] = [...(samples[key] ?? []), t.ms];
  };
  try {
    for (let i = 0; i < reps; i++) {
      for (const state of ["fresh", "existing"] as const) {
        // Each measurement has its own directory: "fresh" creates it, "existing" reopens it.
        const dir = (kind: string) => join(work, `${kind}-${i}`);
        const floor = (kind: string) => ["--input-type=module", "-e", FLOOR, dir(kind)];
        add(`floor ready ${state}`, await timeReady(floor("floor-ready"), ROOT, /^ready$/m));
        add(`floor exit ${state}`, await timeExit(floor("floor-exit"), ROOT));
        add(`start ${state}`, await timeStart(MAIN, `pglite:${dir("start")}`, ROOT));
        add(
          `record ${state}`,
          await timeExit([MAIN, "--store", `pglite:${dir("record")}`, "record", "bench"], ROOT),
        );
      }
      ctx.log(`startup: run ${i + 1}/${reps} done`);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const rows: BenchRow[] = [];
  const targets: NonNullable<BenchSection["targets"]> = [];
  for (const state of ["fresh", "existing"] as const) {
    const name = `CLI startup on ${state === "fresh" ? "a fresh" : "an existing"} PGlite directory (median of ${reps})`;
    const floorReady = median(samples[`floor ready ${state}`] ?? []);
    const floorExit = median(samples[`floor exit ${state}`] ?? []);
    const start = median(samples[`start ${state}`] ?? []);
    const record = median(samples[`record ${state}`] ?? []);
    rows.push(
      { name, subject: "PGlite alone: node + open + select 1", value: floorReady, unit: "ms" },
      { name, subject: "PGlite alone, until the process exits", value: floorExit, unit: "ms" },
      {
        name,
        subject: "tallyboard start → first healthy answer",
        value: start,
        unit: "ms",
        ratio: { to: "PGlite alone", value: start / floorReady },
      },
      {
        name,
        subject: "tallyboard record (spawn to exit)",
        value: record,
        unit: "ms",
        ratio: { to: "PGlite alone until exit", value: record / floorExit },
      },
    );
    targets.push(
      {
        name: `start on ${state === "fresh" ? "a fresh" : "an existing"} directory ≤ ${TARGET}× PGlite's floor`,
        met: start / floorReady <= TARGET,
        detail: `${(start / floorReady).toFixed(2)}× (${Math.round(start)} ms vs ${Math.round(floorReady)} ms)`,
      },
      {
        name: `record on ${state === "fresh" ? "a fresh" : "an existing"} directory ≤ ${TARGET}× PGlite's floor`,
        met: record / floorExit <= TARGET,
        detail: `${(record / floorExit).toFixed(2)}× (${Math.round(record)} ms vs ${Math.round(floorExit)} ms)`,
      },
    );
  }
  return { name: "startup (CLI on the default PGlite store)", rows, targets };
}
