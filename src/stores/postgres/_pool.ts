import type { Logger } from "../types.js";
import { type Db, loadOptional, type PgPoolLike, poolDb } from "./_db.js";

/** What {@link openPool} needs from the store's options. */
export interface PoolSettings {
  url: string;
  maxConnections: number;
  applicationName: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
}

interface EmitterLike {
  on(event: string, listener: (...args: never[]) => void): void;
}

/** The client gets this much longer than the server's `statement_timeout` before it drops the connection. */
const CLIENT_GRACE_MS = 1_000;

/**
 * Open a pool for a `postgres://` URL (loads `pg` lazily). Every call is
 * bounded: `connectionTimeoutMillis` for opening (or waiting for) a
 * connection, `statement_timeout` on the server, and `query_timeout` on the
 * client for a server that does not answer at all.
 *
 * Every client gets a permanent `'error'` listener as soon as it exists: `pg`
 * emits `'error'` on a checked-out client whose backend is killed, and an
 * unheard `'error'` event would end the process. The statement in flight
 * rejects on its own; the listener only logs.
 */
export async function openPool(settings: PoolSettings, logger: () => Logger | undefined): Promise<Db> {
  const mod = await loadOptional("pg", "A postgres:// store");
  const pg = (mod.default ?? mod) as { Pool: new (config: object) => PgPoolLike & EmitterLike };
  const pool = new pg.Pool({
    connectionString: settings.url,
    max: settings.maxConnections,
    application_name: settings.applicationName,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    statement_timeout: settings.commandTimeoutMs,
    query_timeout: settings.commandTimeoutMs + CLIENT_GRACE_MS,
    keepAlive: true,
  });
  const warn = (what: string) => (error: Error) =>
    logger()?.warn(`tallyboard postgres: ${what}: ${error.message}`, error);
  pool.on("error", warn("idle connection error"));
  pool.on("connect", (client: EmitterLike) => client.on("error", warn("connection error")));
  return poolDb(pool, { owned: true, named: true });
}
