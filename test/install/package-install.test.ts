/**
 * What a user gets from `npm i tallyboard`: the packed tarball installed into
 * a fresh app without devDependencies, next to hono 4.7, ioredis 5 and
 * bullmq 5; then the CLI's default (`npx tallyboard start`), an ESM import, a
 * CommonJS require of every subpath and a strict TypeScript compile.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APP_TS,
  appPackage,
  BAD_TS,
  CJS_SCRIPT,
  ESM_SCRIPT,
  readmeQuickStart,
  SUBPATHS,
  TSCONFIG,
} from "./_app.js";

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "../..");
const TSC = join(ROOT, "node_modules/typescript/bin/tsc");
let work = "";
let app = "";
let files: string[] = [];

/** A clean environment: no tallyboard settings, no npm flags that would pull devDependencies. */
function env(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  for (const key of Object.keys(out)) {
    if (key.startsWith("TALLYBOARD_") || key.startsWith("npm_config_") || key === "DEBUG") delete out[key];
  }
  return out;
}

const run = (file: string, args: string[], cwd = app) =>
  exec(file, args, { cwd, env: env(), maxBuffer: 16 * 1024 * 1024 });

beforeAll(async () => {
  if (!existsSync(join(ROOT, "dist/cli/main.js"))) await run("npm", ["run", "build", "--silent"], ROOT);
  work = await mkdtemp(join(tmpdir(), "tallyboard-install-"));
  app = join(work, "app");
  await mkdir(app);
  // The build is npm test's; --ignore-scripts keeps a concurrent rebuild out of it.
  const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], ROOT);
  const [info] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  files = info.files.map((f) => f.path);
  await writeFile(join(app, "package.json"), JSON.stringify(appPackage(join(work, info.filename)), null, 2));
  // From the local npm cache when it can; the registry otherwise. ERESOLVE would fail here.
  await run("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", "--prefer-offline"]);
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the packed package", () => {
  it("ships dist, docs, README and LICENSE, and no source maps or sources", () => {
    expect(files).toEqual(
      expect.arrayContaining(["LICENSE", "README.md", "package.json", "dist/cli/main.js"]),
    );
    expect(files.filter((f) => f.endsWith(".map") || f.startsWith("src/") || f.startsWith("test/"))).toEqual(
      [],
    );
  });

  it("installs beside hono 4.7, ioredis 5 and bullmq 5 with one copy of hono and no devDependencies", async () => {
    const pkg = (name: string) => join(app, "node_modules", name, "package.json");
    const version = async (name: string) =>
      (JSON.parse(await readFile(pkg(name), "utf8")) as { version: string }).version;
    expect(await version("hono")).toBe("4.7.0");
    expect(await version("ioredis")).toMatch(/^5\./);
    expect(await version("bullmq")).toMatch(/^5\./);
    expect(existsSync(join(app, "node_modules/tallyboard/node_modules/hono"))).toBe(false);
    expect(existsSync(join(app, "node_modules/@hono/node-server/node_modules/hono"))).toBe(false);
    for (const name of ["@electric-sql/pglite", "nodemailer", "@hono/node-server"]) {
      expect(existsSync(pkg(name)), name).toBe(true);
    }
    for (const name of ["typescript", "vitest", "@biomejs/biome", "pg", "redis-metrics"]) {
      expect(existsSync(pkg(name)), name).toBe(false);
    }
  });

  it("loads every subpath with import", async () => {
    const { stdout, stderr } = await run(process.execPath, ["--input-type=module", "-e", ESM_SCRIPT]);
    expect(JSON.parse(stdout)).toEqual({ missing: [], total: 3 });
    expect(stderr).toBe("");
  });

  it("loads every subpath with require, without a warning", async () => {
    const { stdout, stderr } = await run(process.execPath, ["-e", CJS_SCRIPT]);
    expect(JSON.parse(stdout)).toEqual({ missing: [], total: 3 });
    expect(stderr).toBe("");
    expect(Object.keys(SUBPATHS)).toHaveLength(7);
  });

  it("compiles a strict TypeScript app and the README's quick start, and refuses granularity: 'dayz'", async () => {
    const ts = join(app, "ts");
    await mkdir(ts, { recursive: true });
    await writeFile(join(ts, "app.ts"), APP_TS);
    await writeFile(join(ts, "bad.ts"), BAD_TS);
    await writeFile(join(ts, "readme.ts"), readmeQuickStart(await readFile(join(ROOT, "README.md"), "utf8")));
    const compilerOptions = { ...TSCONFIG.compilerOptions, typeRoots: [join(ROOT, "node_modules/@types")] };
    await writeFile(
      join(app, "tsconfig.json"),
      JSON.stringify({ compilerOptions, files: ["ts/app.ts", "ts/readme.ts", "ts/bad.ts"] }),
    );
    // One compiler run for both files: app.ts must be clean, bad.ts must have exactly its one error.
    const result = await run(process.execPath, [TSC, "-p", "tsconfig.json", "--pretty", "false"]).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string }) => e,
    );
    const errors = result.stdout.split("\n").filter((line) => /error TS\d+/.test(line));
    expect(result.code).not.toBe(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^ts\/bad\.ts\(4,\d+\): error TS\d+: .*"dayz"/);
  });

  it("npx tallyboard start serves the demo on the default store, mails its report, and refuses a second start", async () => {
    const first = spawnStart(["start", "--port", "0", "--demo"]);
    try {
      const url = await first.url;
      const health = await fetch(`${url}/api/v1/healthz`);
      expect(health.status).toBe(200);
      const slugs = (await (await fetch(`${url}/api/v1/slugs`)).json()) as unknown;
      expect(JSON.stringify(slugs)).toContain("page_views");
      const outbox = join(app, ".tallyboard", "outbox");
      const mail = await waitFor(async () => {
        const names = existsSync(outbox) ? await readdir(outbox) : [];
        return names.find((n) => n.endsWith(".eml"));
      }, 120_000);
      const eml = await readFile(join(outbox, mail), "utf8");
      expect(eml).toMatch(/^To: team@example\.org$/m);
      expect(eml).toMatch(/^Subject: .*Daily_overview/m);
      // The same directory from a second process: one clear line, exit 1, no URL.
      const second = await run("npx", ["--no-install", "tallyboard", "start", "--port", "0"]).then(
        (r) => ({ code: 0, ...r }),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      expect(second.code).toBe(1);
      expect(second.stdout).toBe("");
      expect(second.stderr.trim().split("\n")).toHaveLength(1);
      expect(second.stderr).toMatch(/^error: .*(in use|locked)/i);
    } finally {
      const stopped = await first.stop();
      // npx itself dies of the signal; tallyboard (same process group) shuts down cleanly.
      expect(stopped.stderr).toContain("SIGTERM: shutting down");
    }
  }, 300_000);
});

/** `npx tallyboard …` in its own process group, so the whole npx → node tree gets the signal. */
function spawnStart(args: string[]) {
  const child: ChildProcess = spawn("npx", ["--no-install", "tallyboard", ...args], {
    cwd: app,
    env: env(),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d;
  });
  child.stderr?.on("data", (d: Buffer) => {
    err += d;
  });
  const exited = new Promise<{ stderr: string }>((done) => child.on("close", () => done({ stderr: err })));
  const url = waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`start exited ${child.exitCode}:\n${out}\n${err}`);
    return /tallyboard dashboard: (http:\/\/\S+?)\/?\s/.exec(out)?.[1];
  }, 180_000);
  return {
    url,
    async stop(): Promise<{ stderr: string }> {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, "SIGTERM");
      return exited;
    },
  };
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
