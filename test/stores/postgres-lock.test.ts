/**
 * A PGlite directory is held by one process at a time, checked with real
 * child processes: a second opener is refused with E_STORE_LOCKED naming the
 * holder's pid (never a silent second writer), a lock left by a killed
 * process is taken over, and dispose or a plain exit releases it.
 */
import { type ChildProcess, fork, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";

const CHILD = fileURLToPath(new URL("./_pglite-child.ts", import.meta.url));

interface Message {
  type: string;
  pid?: number;
  code?: string;
  message?: string;
}

/** A forked child on `dir`; `next()` resolves with its next IPC message. */
function child(dir: string, slug: string) {
  const proc: ChildProcess = fork(CHILD, [dir, slug], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const inbox: Message[] = [];
  let wake: (() => void) | undefined;
  proc.on("message", (m) => {
    inbox.push(m as Message);
    wake?.();
  });
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  const next = async (): Promise<Message> => {
    while (inbox.length === 0) {
      const gone = await Promise.race([
        new Promise<false>((resolve) => {
          wake = () => resolve(false);
        }),
        exited.then(() => true),
      ]);
      if (gone && inbox.length === 0) throw new Error(`child ${proc.pid} exited without answering`);
    }
    return inbox.shift() as Message;
  };
  return { proc, next, exited, order: (o: string) => proc.send(o) };
}

/** What the directory holds, read in this process (after every child let go). */
async function totals(dir: string, slugs: string[]): Promise<number[]> {
  const m = createMetrics({ store: postgresStore({ url: `pglite:${dir}` }) });
  try {
    return await Promise.all(slugs.map((s) => m.total(s)));
  } finally {
    await m.dispose();
  }
}

const lockFile = (dir: string) => join(dir, "tallyboard.lock");

describe("PGlite directory lock across processes", { timeout: 240_000 }, () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "tb-pglite-lock-"));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("refuses a second process with E_STORE_LOCKED naming the holder; a SIGKILLed holder's lock is taken over", async () => {
    const dir = join(root, "shared");
    const holder = child(dir, "app");
    const ready = await holder.next();
    expect(ready).toMatchObject({ type: "ready", pid: holder.proc.pid });
    expect((await readFile(lockFile(dir), "utf8")).split("\n")[0]).toBe(String(holder.proc.pid));

    // The second process is refused at its first call: its write is not lost silently.
    const second = child(dir, "dashboard");
    const refused = await second.next();
    expect(refused).toMatchObject({ type: "error", code: "E_STORE_LOCKED" });
    expect(refused.message).toContain(`in use by process ${holder.proc.pid}`);
    await second.exited;

    // So is this process (another pid than the holder's).
    const here = createMetrics({ store: postgresStore({ dataDir: dir }) });
    await expect(here.record("parent")).rejects.toMatchObject({ code: "E_STORE_LOCKED" });
    await here.dispose();

    holder.order("record");
    expect(await holder.next()).toMatchObject({ type: "recorded" });
    holder.proc.kill("SIGKILL");
    await holder.exited;
    expect(existsSync(lockFile(dir))).toBe(true); // stale: its process is gone

    const after = child(dir, "app");
    expect(await after.next()).toMatchObject({ type: "ready", pid: after.proc.pid });
    after.order("dispose");
    expect(await after.next()).toMatchObject({ type: "disposed" });
    expect(existsSync(lockFile(dir))).toBe(false); // dispose released it, the process still runs
    after.proc.kill();
    await after.exited;
    // Both committed records of the killed holder survived, plus the new one.
    expect(await totals(dir, ["app", "dashboard", "parent"])).toEqual([3, 0, 0]);
  });

  it("several processes racing for a stale lock: exactly one wins; its plain exit releases the lock", async () => {
    const dir = join(root, "race");
    await mkdir(dir, { recursive: true });
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    await writeFile(lockFile(dir), `${gone}\n${hostname()}\n`);
    const racers = [0, 1, 2].map((i) => child(dir, `r${i}`));
    const answers = await Promise.all(racers.map((r) => r.next()));
    const winners = racers.filter((_, i) => answers[i]?.type === "ready");
    expect(winners).toHaveLength(1);
    const winner = winners[0] as (typeof racers)[number];
    for (const a of answers.filter((a) => a.type !== "ready")) {
      expect(a).toMatchObject({ code: "E_STORE_LOCKED" });
      expect(a.message).toContain(`in use by process ${winner.proc.pid}`);
    }
    winner.order("exit");
    expect(await winner.exited).toBe(0);
    await Promise.all(racers.map((r) => r.exited));
    expect(existsSync(lockFile(dir))).toBe(false);
    const slugs = racers.map((_, i) => `r${i}`);
    expect((await totals(dir, slugs)).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it("a lock held by a live process of another host is never taken over", async () => {
    const dir = join(root, "remote");
    await mkdir(dir, { recursive: true });
    await writeFile(lockFile(dir), `${process.pid}\nsome-other-host\n`);
    const m = createMetrics({ store: postgresStore({ dataDir: dir }) });
    const error = await m.record("x").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "E_STORE_LOCKED" });
    expect((error as Error).message).toContain(`process ${process.pid} on host "some-other-host"`);
    await m.dispose();
    expect(await readFile(lockFile(dir), "utf8")).toBe(`${process.pid}\nsome-other-host\n`);
  });
});
