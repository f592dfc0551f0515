import { createHash } from "node:crypto";
import { open, readFile, unlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * PGlite is Postgres inside one process: two processes on one directory would
 * overwrite each other's files. The CLI therefore takes a lock file per PGlite
 * directory (in the OS temp directory, so the data directory stays PGlite's own)
 * holding the owner's pid. A lock whose process is gone is taken over.
 */
export function lockPath(dataDir: string): string {
  const hash = createHash("sha256").update(dataDir).digest("hex").slice(0, 20);
  return join(tmpdir(), `tallyboard-pglite-${hash}.lock`);
}

/** Take the lock of `dataDir` for process `pid`; resolves to its release function. */
export async function lockDataDir(dataDir: string, pid: number): Promise<() => Promise<void>> {
  const path = lockPath(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(`${pid}\n${dataDir}\n`);
      await handle.close();
      return async () => {
        const owner = await readOwner(path);
        if (owner === pid) await unlink(path).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = await readOwner(path);
    if (owner !== undefined && owner !== pid && isAlive(owner)) {
      throw new Error(
        `The PGlite store ${dataDir} is in use by process ${owner} (a running "tallyboard start"?). ` +
          "PGlite allows one process per directory: stop that process, send events to its HTTP API " +
          "(POST /api/v1/events), or use a Postgres server for several processes",
      );
    }
    await unlink(path).catch(() => undefined); // stale: its process is gone
  }
  throw new Error(`Could not take the lock file ${path} of the PGlite store ${dataDir}`);
}

async function readOwner(path: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(path, "utf8")).split("\n")[0]);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process exists (signal 0 only checks; EPERM means it exists under another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
