import { describeValue, MetricsError, redactSecrets } from "../../errors.js";

/**
 * The narrow client shape the store needs: a `pg.Pool`, a `pg.Client`, a
 * `PGlite` instance, or anything with the same `query(text, params)`.
 */
export interface PostgresClient {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A row as returned by a driver: column name to value. */
export type Row = Record<string, unknown>;

/** What SQL runs against: a connection or an open transaction. */
export interface Queryable {
  /** One statement with `$n` parameters. `name` prepares it once per connection where the driver can. */
  query(text: string, params?: readonly unknown[], name?: string): Promise<Row[]>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

/** A connection source with transactions. */
export interface Db extends Queryable {
  /** Run `fn` inside BEGIN/COMMIT on one connection; ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Release what the store created (a pool, an embedded database). */
  close(): Promise<void>;
}

interface PgLikeClient {
  query(
    config: string | { text: string; values?: unknown[]; name?: string },
    values?: unknown[],
  ): Promise<{ rows: Row[] }>;
}
export interface PgPoolLike extends PgLikeClient {
  connect(): Promise<PgLikeClient & { release(error?: Error | boolean): void }>;
  end(): Promise<void>;
}
export interface PGliteLike {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  exec(sql: string): Promise<unknown>;
  transaction<T>(fn: (tx: PGliteLike) => Promise<T>): Promise<T>;
  close?(): Promise<void>;
}

/**
 * Import an optional peer dependency, or fail with `E_MISSING_DEPENDENCY`
 * naming the npm package to install.
 */
export async function loadOptional(specifier: string, what: string): Promise<Record<string, unknown>> {
  try {
    return (await import(specifier)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
      throw new MetricsError(
        "E_MISSING_DEPENDENCY",
        `${what} needs the optional package ${describeValue(specifier)}: run npm install ${specifier}`,
        { cause: error },
      );
    }
    throw error;
  }
}

/**
 * Wrap a driver error as `E_STORE` (a `MetricsError` passes through). URLs in
 * the driver's message are redacted.
 */
export function storeError(error: unknown, what: string): MetricsError {
  if (error instanceof MetricsError) return error;
  const e = error as { message?: unknown; code?: unknown } | null;
  const state =
    typeof e?.code === "string" ? ` (${/^[0-9A-Z]{5}$/.test(e.code) ? "SQLSTATE " : ""}${e.code})` : "";
  const message = redactSecrets(String(e?.message ?? error));
  return new MetricsError("E_STORE", `Postgres store: ${what} failed: ${message}${state}`, { cause: error });
}

/**
 * Whether `error` means the connection is gone or unusable (killed backend,
 * dropped socket, a statement that never answered), rather than an answer of
 * the server inside a healthy session.
 */
export function isConnectionLost(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === "string" ? e.code : "";
  if (code.startsWith("57P") || code.startsWith("08") || /^E(CONN|PIPE|TIMEDOUT|HOSTUNREACH)/.test(code))
    return true;
  return /Connection terminated|Query read timeout|not queryable|socket|ECONNRESET/i.test(
    String(e?.message ?? ""),
  );
}

/** SQLSTATEs after which the whole statement or transaction can simply be run again. */
const RETRYABLE = new Set(["40P01", "40001"]);

/** Run `fn`, retrying deadlocks and serialization failures (each attempt rolled back whole). */
export async function withRetry<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const cause = error instanceof MetricsError ? (error.cause as { code?: unknown } | null)?.code : code;
      if (i >= attempts || typeof cause !== "string" || !RETRYABLE.has(cause)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5 * i * Math.random()));
    }
  }
}

/** A `pg.Pool` (created by the store, or passed in). `named` enables prepared statements. */
export function poolDb(pool: PgPoolLike, options: { owned: boolean; named: boolean }): Db {
  const run = async (client: PgLikeClient, text: string, params?: readonly unknown[], name?: string) => {
    const values = params ? [...params] : undefined;
    const result =
      options.named && name !== undefined
        ? await client.query(values ? { name, text, values } : { name, text })
        : await client.query(text, values);
    return result.rows;
  };
  return {
    query: (text, params, name) => run(pool, text, params, name),
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | boolean = false;
      try {
        await client.query("BEGIN");
        const result = await fn({
          query: (text, params, name) => run(client, text, params, name),
          exec: async (sql) => {
            await client.query(sql);
          },
        });
        await client.query("COMMIT");
        return result;
      } catch (error) {
        // A lost or timed-out connection is dropped (the server rolls back when it goes):
        // a ROLLBACK would only wait behind the statement that never answered.
        if (isConnectionLost(error)) broken = true;
        else {
          try {
            await client.query("ROLLBACK");
          } catch (rollbackError) {
            broken = rollbackError as Error;
          }
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async close() {
      if (options.owned) await pool.end();
    },
  };
}

/** An embedded PGlite database (or any client with PGlite's `transaction`/`exec`). */
export function pgliteDb(db: PGliteLike, options: { owned: boolean }): Db {
  const wrap = (target: PGliteLike): Queryable => ({
    query: async (text, params) => (await target.query(text, params ? [...params] : undefined)).rows as Row[],
    async exec(sql) {
      await target.exec(sql);
    },
  });
  return {
    ...wrap(db),
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    async close() {
      if (options.owned) await db.close?.();
    },
  };
}

/**
 * One connection given as a plain `{ query }` (e.g. a `pg.Client`): statements
 * are serialised in-process so a transaction never interleaves with others.
 */
export function singleConnectionDb(client: PostgresClient): Db {
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = tail.then(fn, fn);
    tail = result.catch(() => undefined);
    return result;
  };
  const raw: Queryable = {
    query: async (text, params) => (await client.query(text, params ? [...params] : undefined)).rows as Row[],
    async exec(sql) {
      await client.query(sql);
    },
  };
  return {
    query: (text, params) => exclusive(() => raw.query(text, params)),
    exec: (sql) => exclusive(() => raw.exec(sql)),
    transaction: (fn) =>
      exclusive(async () => {
        await raw.exec("BEGIN");
        try {
          const result = await fn(raw);
          await raw.exec("COMMIT");
          return result;
        } catch (error) {
          await raw.exec("ROLLBACK").catch(() => undefined);
          throw error;
        }
      }),
    async close() {},
  };
}

/** Pick the adapter for a client the caller owns. */
export function clientDb(client: PostgresClient): Db {
  const c = client as unknown as Record<string, unknown>;
  if (typeof c.transaction === "function" && typeof c.exec === "function") {
    return pgliteDb(client as unknown as PGliteLike, { owned: false });
  }
  if (typeof c.connect === "function" && typeof c.totalCount === "number") {
    return poolDb(client as unknown as PgPoolLike, { owned: false, named: false });
  }
  return singleConnectionDb(client);
}
