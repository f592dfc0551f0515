import { resolve } from "node:path";
import { MetricsError } from "../../errors.js";
import { type Db, loadOptional, type PGliteLike, pgliteDb } from "./_db.js";
import { lockDirectory } from "./_lock.js";

/**
 * PGlite directories open in this process. Two PGlite instances on one
 * directory would overwrite each other's files, so a second open is refused
 * here before the cross-process lock is even looked at.
 */
const openDirectories = new Set<string>();

/**
 * Open an embedded PGlite database; `dataDir` undefined means in memory. A
 * directory is locked to this process first (see `_lock.ts`) and unlocked by
 * `close()`; a directory held by another live process is refused with
 * `E_STORE_LOCKED`.
 */
export async function openPGlite(dataDir: string | undefined): Promise<Db> {
  const mod = await loadOptional("@electric-sql/pglite", "An embedded (pglite:) store");
  const PGlite = mod.PGlite as { create(dataDir?: string): Promise<PGliteLike> };
  if (dataDir === undefined) return pgliteDb(await PGlite.create(), { owned: true });
  const key = resolve(dataDir.replace(/^file:\/\//, ""));
  if (openDirectories.has(key)) {
    throw new MetricsError(
      "E_STORE_LOCKED",
      `The PGlite store ${key} is in use by process ${process.pid} (this process): share one store, or pass one PGlite instance as client`,
    );
  }
  openDirectories.add(key);
  let unlock: (() => Promise<void>) | undefined;
  try {
    unlock = await lockDirectory(key);
    const db = pgliteDb(await PGlite.create(key), { owned: true });
    const release = unlock;
    return {
      ...db,
      async close() {
        try {
          await db.close();
        } finally {
          openDirectories.delete(key);
          await release();
        }
      },
    };
  } catch (error) {
    openDirectories.delete(key);
    await unlock?.();
    throw error;
  }
}
