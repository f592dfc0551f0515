import { describeValue, MetricsError } from "../../errors.js";
import type { Logger } from "../types.js";
import type { PostgresClient } from "./_db.js";

/** How records are kept. */
export type PostgresStoreMode = "rollup" | "items";

/** Options of {@link postgresStore}. Give exactly one of `url`, `client` or `dataDir`. */
export interface PostgresStoreOptions {
  /**
   * `postgres://user@host:5432/db` (a `pg` pool is created and ended by the
   * store), `pglite:./dir` (embedded PGlite in a directory, created when
   * missing) or `pglite:memory` (embedded, in memory).
   * @default undefined
   */
  url?: string;
  /**
   * A connection you own: a `pg.Pool`, a `pg.Client` or a `PGlite` instance
   * (anything with `query(text, params)`). The store never closes it. A plain
   * client is treated as one connection: the store runs its statements one at
   * a time so a transaction never interleaves with another.
   * @default undefined
   */
  client?: PostgresClient;
  /** Directory of an embedded PGlite database (same as `url: "pglite:<dir>"`). @default undefined */
  dataDir?: string;
  /**
   * Schema holding the tables, created on first use. Letters, digits and `_`,
   * not starting with a digit, at most 63 characters.
   * @default "tallyboard"
   */
  schema?: string;
  /**
   * `"rollup"`: every record adds to its buckets at once (one statement).
   * `"items"`: every record appends one raw item row; `aggregate()` folds
   * items into buckets; reads add not-yet-aggregated items, so they are never stale.
   * @default "rollup"
   */
  mode?: PostgresStoreMode;
  /** Connections of the pool created for a `postgres://` URL. @default 10 */
  maxConnections?: number;
  /** Where warnings go (e.g. an idle pool connection dropped). @default the logger given to createMetrics */
  logger?: Logger;
}

/** Where the store connects, after validation. */
export type Target =
  | { kind: "server"; url: string }
  | { kind: "pglite"; dataDir: string | undefined }
  | { kind: "client"; client: PostgresClient };

export interface ResolvedOptions {
  target: Target;
  schema: string;
  /** The schema as a quoted identifier. */
  quoted: string;
  mode: PostgresStoreMode;
  maxConnections: number;
  logger: Logger | undefined;
}

const SCHEMA = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const invalid = (message: string): MetricsError => new MetricsError("E_INVALID_OPTION", message);

/** Validate options at once (no I/O); throws `E_INVALID_OPTION`. */
export function resolveOptions(options: PostgresStoreOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw invalid(`postgresStore() needs an options object, got ${describeValue(options)}`);
  }
  const given = (["url", "client", "dataDir"] as const).filter((k) => options[k] !== undefined);
  if (given.length !== 1) {
    throw invalid(
      given.length === 0
        ? "postgresStore() needs one of url (postgres://… or pglite:…), client or dataDir"
        : `postgresStore() takes only one of url, client and dataDir, got ${given.join(" and ")}`,
    );
  }
  const schema = options.schema ?? "tallyboard";
  if (typeof schema !== "string" || !SCHEMA.test(schema)) {
    throw invalid(
      `Invalid schema ${describeValue(schema)}: use letters, digits and _, not starting with a digit, at most 63 characters`,
    );
  }
  const mode = options.mode ?? "rollup";
  if (mode !== "rollup" && mode !== "items") {
    throw invalid(`Invalid mode ${describeValue(mode)}: use "rollup" or "items"`);
  }
  const maxConnections = options.maxConnections ?? 10;
  if (!Number.isSafeInteger(maxConnections) || maxConnections < 1) {
    throw invalid(`maxConnections must be a positive integer, got ${describeValue(maxConnections)}`);
  }
  return {
    target: resolveTarget(options),
    schema,
    quoted: `"${schema}"`,
    mode,
    maxConnections,
    logger: options.logger,
  };
}

function resolveTarget(options: PostgresStoreOptions): Target {
  if (options.client !== undefined) {
    if (typeof (options.client as { query?: unknown }).query !== "function") {
      throw invalid(`client must have a query(text, params) method, got ${describeValue(options.client)}`);
    }
    return { kind: "client", client: options.client };
  }
  if (options.dataDir !== undefined) {
    if (typeof options.dataDir !== "string" || options.dataDir.trim() === "") {
      throw invalid(`dataDir must be a directory path, got ${describeValue(options.dataDir)}`);
    }
    return { kind: "pglite", dataDir: options.dataDir };
  }
  const url = options.url;
  if (typeof url === "string" && /^postgres(ql)?:\/\//i.test(url)) {
    try {
      new URL(url);
    } catch (cause) {
      throw new MetricsError("E_INVALID_OPTION", `Invalid Postgres URL ${describeValue(url)}`, { cause });
    }
    return { kind: "server", url };
  }
  if (typeof url === "string" && url.startsWith("pglite:")) {
    const rest = url.slice("pglite:".length).replace(/^\/\/(?=\.|\/)/, "");
    if (rest === "memory" || rest === "//memory" || rest === "memory://")
      return { kind: "pglite", dataDir: undefined };
    if (rest.trim() === "")
      throw invalid(`pglite: URL needs a directory or "memory", got ${describeValue(url)}`);
    return { kind: "pglite", dataDir: rest };
  }
  throw invalid(`Invalid url ${describeValue(url)}: use postgres://…, pglite:./dir or pglite:memory`);
}
