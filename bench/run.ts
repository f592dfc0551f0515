/**
 * `npm run bench`: starts a private redis-server on a free port, checks
 * whether Postgres answers at postgres://postgres@127.0.0.1:5432/test, runs
 * each section (bench/redis.ts, bench/postgres.ts, bench/http.ts, bench/cluster.ts, bench/browser.ts, bench/capture.ts —
 * a missing file is skipped with a note; `BENCH_ONLY=a,b` picks sections), prints tables and writes every figure to
 * bench/results/<timestamp>.json and bench/results/latest.json.
 * `BENCH_QUICK=1` runs a scaled-down smoke version.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { Redis } from "ioredis";
import pg from "pg";
import { renderSection } from "./_print.js";
import { type PrivateRedis, startPrivateRedis } from "./_server.js";
import type { BenchContext, BenchSection } from "./_types.js";

const POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
const SECTIONS = ["redis", "postgres", "http", "cluster", "browser", "startup", "capture"] as const;
/** `BENCH_ONLY=cluster,http` runs only the named sections. */
const ONLY = (process.env.BENCH_ONLY ?? "").split(",").filter(Boolean);

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function redisVersion(url: string): Promise<string> {
  const client = new Redis(url);
  try {
    return /^redis_version:(\S+)/m.exec(String(await client.info("server")))?.[1] ?? "unknown";
  } finally {
    client.disconnect();
  }
}

type SectionModule = { run(context: BenchContext): Promise<BenchSection | BenchSection[]> };

async function runSections(ctx: BenchContext): Promise<{ sections: BenchSection[]; notes: string[] }> {
  const sections: BenchSection[] = [];
  const notes: string[] = [];
  for (const name of SECTIONS) {
    if (ONLY.length > 0 && !ONLY.includes(name)) continue;
    const file = new URL(`./${name}.ts`, import.meta.url);
    if (!existsSync(file)) {
      notes.push(`section ${name} skipped: bench/${name}.ts does not exist`);
      continue;
    }
    const started = Date.now();
    try {
      const mod = (await import(file.href)) as SectionModule;
      const result = await mod.run(ctx);
      for (const section of Array.isArray(result) ? result : [result]) {
        sections.push(section);
        process.stdout.write(`\n${renderSection(section)}\n`);
      }
      ctx.log(`section ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      notes.push(`section ${name} failed: ${message}`);
      ctx.log(`section ${name} failed: ${message}`);
    }
  }
  return { sections, notes };
}

async function main(): Promise<number> {
  const quick = process.env.BENCH_QUICK === "1";
  const log = (message: string): void => {
    process.stderr.write(`[bench] ${message}\n`);
  };
  let server: PrivateRedis | undefined;
  const killServer = (): void => {
    if (server) {
      try {
        process.kill(server.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  process.on("exit", killServer);
  process.once("SIGINT", () => {
    log("interrupted; stopping redis-server");
    void (server?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
  const startedAt = new Date();
  try {
    server = await startPrivateRedis();
    log(`private redis-server pid ${server.pid} on ${server.url}`);
    const postgresUrl = (await postgresAnswers(POSTGRES_URL)) ? POSTGRES_URL : undefined;
    log(postgresUrl ? `postgres answers at ${POSTGRES_URL}` : `postgres not reachable at ${POSTGRES_URL}`);
    const ctx: BenchContext = { redisUrl: server.url, postgresUrl, scale: quick ? 0.05 : 1, log };
    const machine = {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? "unknown",
      memoryGiB: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.platform()} ${os.release()}`,
      node: process.version,
      redis: await redisVersion(server.url),
      loadAverageAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    };
    if ((os.loadavg()[0] ?? 0) > machine.cpus) {
      log(
        `warning: load average ${os.loadavg()[0]?.toFixed(1)} exceeds ${machine.cpus} cores; figures will be noisy`,
      );
    }
    const { sections, notes } = await runSections(ctx);
    for (const note of notes) process.stdout.write(`\nnote: ${note.split("\n")[0]}\n`);
    const finishedAt = new Date();
    const report = {
      startedAt,
      finishedAt,
      loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
      quick,
      scale: ctx.scale,
      machine,
      postgres: Boolean(postgresUrl),
      sections,
      notes,
    };
    const dir = new URL("./results/", import.meta.url);
    await mkdir(dir, { recursive: true });
    const json = `${JSON.stringify(report, null, 2)}\n`;
    const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
    await writeFile(new URL(`${stamp}.json`, dir), json);
    await writeFile(new URL("latest.json", dir), json);
    log(`wrote bench/results/${stamp}.json and bench/results/latest.json`);
    return notes.some((n) => n.includes("failed")) ? 1 : 0;
  } finally {
    await server?.stop();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
