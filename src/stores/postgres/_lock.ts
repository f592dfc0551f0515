import { randomBytes } from "node:crypto";
import { unlinkSync } from "node:fs";
import { link, mkdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { describeValue, MetricsError } from "../../errors.js";

/** Name of the lock file inside a PGlite data directory. */
export const LOCK_FILE = "tallyboard.lock";

/** Lock files this process holds, removed on exit (a killed process leaves a stale one, taken over later). */
const held = new Set<string>();
let exitHookInstalled = false;

interface Owner {
  pid: number;
  host: string;
}

/**
 * Take the exclusive cross-process lock of a PGlite directory: a file
 * `tallyboard.lock` inside it holding `pid` and host name, created atomically
 * (written to a temporary file, then hard-linked into place, so nobody ever
 * reads it half-written). A lock whose process is gone (same host, pid not
 * alive) is taken over, under a short-lived second lock so that two
 * processes never both remove it. Resolves to the release function.
 * Throws `E_STORE_LOCKED` naming the holder's pid.
 */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  const me: Owner = { pid: process.pid, host: hostname() };
  for (let attempt = 0; attempt < 20; attempt++) {
    if (await create(path, me)) {
      held.add(path);
      installExitHook();
      return async () => {
        held.delete(path);
        const owner = await readOwner(path);
        if (owner?.pid === me.pid && owner.host === me.host) await unlink(path).catch(() => undefined);
      };
    }
    const owner = await readOwner(path);
    if (owner && isLive(owner, path)) throw locked(dir, owner);
    await takeOver(path, owner);
  }
  throw new MetricsError("E_STORE_LOCKED", `Could not take the lock file ${describeValue(path)}`);
}

function locked(dir: string, owner: Owner): MetricsError {
  const where = owner.host === hostname() ? "" : ` on host ${describeValue(owner.host)}`;
  return new MetricsError(
    "E_STORE_LOCKED",
    `The PGlite store ${dir} is in use by process ${owner.pid}${where} (a running "tallyboard start"?). ` +
      "PGlite allows one process per directory: stop that process, send events to its HTTP API " +
      "(POST /api/v1/events), or use a Postgres server for several processes",
  );
}

/** Atomically create the lock file; false when it exists. */
async function create(path: string, me: Owner): Promise<boolean> {
  const temp = `${path}.${me.pid}.${randomBytes(4).toString("hex")}`;
  await writeFile(temp, `${me.pid}\n${me.host}\n`);
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * Remove a stale lock (its owner as read by the caller), under `<lock>.takeover`.
 * The lock is read again inside, so a fresh lock taken meanwhile is never removed.
 */
async function takeOver(path: string, seen: Owner | undefined): Promise<void> {
  const guard = `${path}.takeover`;
  if (!(await create(guard, { pid: process.pid, host: hostname() }))) {
    // Another process is taking over; a guard older than 10 s belongs to one that died doing it.
    const age = await stat(guard).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > 10_000) await unlink(guard).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
    return;
  }
  try {
    const owner = await readOwner(path);
    const same = owner?.pid === seen?.pid && owner?.host === seen?.host;
    if (same && !(owner && isLive(owner, path))) await unlink(path).catch(() => undefined);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

async function readOwner(path: string): Promise<Owner | undefined> {
  try {
    const [pid, host] = (await readFile(path, "utf8")).split("\n");
    const n = Number(pid);
    return Number.isSafeInteger(n) && n > 0 ? { pid: n, host: host ?? "" } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the lock's owner may still run. A lock of another host cannot be
 * checked, so it counts as live. This process's own pid counts as live only
 * while this process holds the lock (a container restarted with the same pid
 * finds its previous lock stale).
 */
function isLive(owner: Owner, path: string): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return held.has(path);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const path of held) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  });
}
