import { randomBytes } from "node:crypto";
import { describeValue, MetricsError, redactUrl } from "../../errors.js";
import { parseRetention, type Retention, type RetentionOptions } from "../_retention.js";
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
  /**
   * `application_name` of the store's own connections (visible in
   * `pg_stat_activity`), so an operator or a test can find them. A URL's own
   * `application_name` parameter wins.
   * @default "tallyboard-" followed by 8 random hex digits, unique per store instance
   */
  applicationName?: string;
  /**
   * Bound on opening a connection, and on waiting for a free one when all
   * `maxConnections` are busy (`postgres://` URLs). The call then rejects with `E_STORE`.
   * @default 10000
   */
  connectTimeoutMs?: number;
  /**
   * Bound on one statement (`postgres://` URLs): the server cancels it after
   * this long (`statement_timeout`), and the client gives up and drops the
   * connection 1 s later if the server does not answer at all. The call then
   * rejects with `E_STORE`. A transaction of several statements (aggregate
   * batches, migrations) may take up to this long per statement.
   * @default 30000
   */
  commandTimeoutMs?: number;
  /** Where warnings go (e.g. an idle pool connection dropped). @default the logger given to createMetrics */
  logger?: Logger;
  /**
   * How long counts of each granularity are kept after their bucket ends:
   * `{ minutes: "2d", hours: "90d", days: "5y" }` (durations or ms). Expired
   * buckets read as 0 at once; `prune()` (run by `metrics.prune()`,
   * `tallyboard start` hourly and `tallyboard aggregate`) deletes their rows.
   * @default {} (keep everything)
   */
  retention?: RetentionOptions;
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
  applicationName: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  logger: Logger | undefined;
  retention: Retention;
}

const SCHEMA = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const invalid = (message: string): MetricsError => new MetricsError("E_INVALID_OPTION", message);

/** Validate options at once (no I/O); throws `E_INVALID_OPTION`. */
export function resolveOptions(options: PostgresStoreOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw invalid(`postgresStore() needs an options object, got ${describeValue(options)}`);
  }
  checkKeys(options);
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
  const applicationName = options.applicationName ?? `tallyboard-${randomBytes(4).toString("hex")}`;
  if (typeof applicationName !== "string" || !APPLICATION_NAME.test(applicationName)) {
    throw invalid(
      `applicationName must be 1 to 63 printable ASCII characters, got ${describeValue(applicationName)}`,
    );
  }
  return {
    target: resolveTarget(options),
    schema,
    quoted: `"${schema}"`,
    mode,
    maxConnections,
    applicationName,
    connectTimeoutMs: milliseconds(options, "connectTimeoutMs", 10_000),
    commandTimeoutMs: milliseconds(options, "commandTimeoutMs", 30_000),
    logger: options.logger,
    retention: parseRetention(options.retention, "postgresStore()"),
  };
}

const KEYS = [
  "retention",
  "url",
  "client",
  "dataDir",
  "schema",
  "mode",
  "maxConnections",
  "applicationName",
  "connectTimeoutMs",
  "commandTimeoutMs",
  "logger",
] as const;

/** Refuse an unknown option key, naming the nearest valid one (a typo must not be ignored). */
function checkKeys(options: object): void {
  for (const key of Object.keys(options)) {
    if ((KEYS as readonly string[]).includes(key)) continue;
    const nearest = [...KEYS].sort((a, b) => distance(key, a) - distance(key, b))[0];
    throw invalid(`Unknown postgresStore() option ${describeValue(key)}: did you mean "${nearest}"?`);
  }
}

/** Levenshtein distance, case-insensitive. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let row = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const next = [i];
    for (let j = 1; j <= y.length; j++) {
      next[j] = Math.min(
        (row[j] ?? 0) + 1,
        (next[j - 1] ?? 0) + 1,
        (row[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[y.length] ?? 0;
}

const APPLICATION_NAME = /^[\x20-\x7e]{1,63}$/;

function milliseconds(
  options: PostgresStoreOptions,
  key: "connectTimeoutMs" | "commandTimeoutMs",
  fallback: number,
): number {
  const value = options[key] ?? fallback;
  if (!Number.isSafeInteger(value) || value < 1 || value > 2_147_483_647) {
    throw invalid(`${key} must be a positive integer of milliseconds, got ${describeValue(value)}`);
  }
  return value;
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
    } catch {
      // No cause: the URL parser's error would repeat the URL, password included.
      throw invalid(
        `Invalid Postgres URL ${describeValue(redactUrl(url))}: percent-encode characters such as / @ : % # ? in the user name and password`,
      );
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
  const shown = typeof url === "string" ? redactUrl(url) : url;
  throw invalid(`Invalid url ${describeValue(shown)}: use postgres://…, pglite:./dir or pglite:memory`);
}
