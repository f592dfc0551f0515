import { resolve } from "node:path";
import { redactUrl } from "../errors.js";
import type { Store } from "../stores/types.js";
import { UsageError, usage } from "./_errors.js";

/** The store of the CLI and server when none is given: embedded PGlite under ./.tallyboard. */
export const DEFAULT_STORE = "pglite:./.tallyboard";

/** Postgres table layout: buckets upserted directly, or raw items folded by `aggregate`. */
export type PostgresMode = "rollup" | "items";

/** A parsed `--store` URL. */
export type StoreSpec =
  | { kind: "memory" }
  | { kind: "redis"; url: string; prefix?: string; retention?: Retention; durability?: Durability }
  | { kind: "postgres"; url: string; schema?: string; mode?: PostgresMode; retention?: Retention }
  | {
      kind: "pglite";
      /** Absolute directory, or undefined for an in-memory database (`pglite:memory`). */
      dataDir: string | undefined;
      schema?: string;
      mode?: PostgresMode;
      retention?: Retention;
    };

/** `?durability=` of a Redis URL: `async`, `replicated`, or `replicated:<timeout ms>`. */
type Durability = "async" | "replicated" | { replicas: number; timeoutMs: number };

/** Parse `async`, `replicated` or `replicated:<timeoutMs>` (bounds validated by redisStore). */
function durabilityOf(value: string | undefined): { durability?: Durability } {
  if (value === undefined || value === "") return {};
  if (value === "async" || value === "replicated") return { durability: value };
  const timeout = /^replicated:(\d{1,7})$/.exec(value)?.[1];
  if (timeout !== undefined) return { durability: { replicas: 1, timeoutMs: Number(timeout) } };
  throw new UsageError(
    `Invalid durability ${JSON.stringify(value)}; use durability=async, durability=replicated or durability=replicated:<timeout ms>`,
  );
}

/** `?retention=minutes:2d,hours:90d` of a store URL: granularity → duration. */
type Retention = Record<string, string>;

/** Parse `minutes:2d,hours:90d` (validated by the store factory). */
function retentionOf(value: string | undefined): { retention?: Retention } {
  if (value === undefined || value === "") return {};
  const retention: Retention = {};
  for (const part of value.split(",")) {
    const [name, duration, extra] = part.split(":");
    if (!name || !duration || extra !== undefined) {
      throw new UsageError(
        `Invalid retention ${JSON.stringify(value)}; use e.g. retention=minutes:2d,hours:90d`,
      );
    }
    retention[name.trim()] = duration.trim();
  }
  return { retention };
}

const SCHEMES = "memory:, redis://…, rediss://…, postgres://…, postgresql://… or pglite:./dir";

/**
 * Parse a store URL. Store options travel as query parameters and are removed
 * from the URL handed to the driver:
 * - `redis://host:6379/0?prefix=tb` — key prefix; `&durability=replicated` waits for a replica;
 * - `postgres://user@host/db?schema=tallyboard&mode=items`, same for `pglite:./dir?mode=items`.
 * Relative PGlite directories are resolved against `cwd`; `pglite:memory` is an in-memory PGlite.
 */
export function parseStoreUrl(value: string, cwd: string): StoreSpec {
  const text = value.trim();
  if (text === "memory:" || text === "memory" || text === "memory://") return { kind: "memory" };
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  if (scheme === "redis" || scheme === "rediss") {
    const url = parseUrl(text);
    const { retention, durability, ...params } = takeParams(url, ["prefix", "retention", "durability"]);
    return {
      kind: "redis",
      url: url.toString(),
      ...params,
      ...retentionOf(retention),
      ...durabilityOf(durability),
    };
  }
  if (scheme === "postgres" || scheme === "postgresql") {
    const url = parseUrl(text);
    const { mode, retention, ...rest } = takeParams(url, ["schema", "mode", "retention"]);
    return { kind: "postgres", url: url.toString(), ...rest, ...modeOf(mode), ...retentionOf(retention) };
  }
  if (scheme === "pglite") {
    const rest = text.slice("pglite:".length);
    const q = rest.indexOf("?");
    const dir = q === -1 ? rest : rest.slice(0, q);
    const query = new URLSearchParams(q === -1 ? "" : rest.slice(q + 1));
    for (const key of query.keys()) {
      if (key !== "schema" && key !== "mode" && key !== "retention")
        throw new UsageError(`Unknown store parameter "${key}" in ${redactUrl(value)}`);
    }
    if (dir === "")
      throw new UsageError(`Store URL ${value} names no directory; use e.g. pglite:./.tallyboard`);
    const inMemory = dir === "memory" || dir === "memory://" || dir === "//memory";
    const dataDir = inMemory ? undefined : resolve(cwd, dir.replace(/^file:\/\//, ""));
    const schema = query.get("schema");
    return {
      kind: "pglite",
      dataDir,
      ...(schema ? { schema } : {}),
      ...modeOf(query.get("mode") ?? undefined),
      ...retentionOf(query.get("retention") ?? undefined),
    };
  }
  throw new UsageError(`Unknown store ${JSON.stringify(redactUrl(value))}; use ${SCHEMES}`);
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new UsageError(
      `Invalid store URL ${JSON.stringify(redactUrl(text))}; percent-encode "/", "@", ":" and "%" in a user name or password`,
    );
  }
}

function takeParams<K extends string>(url: URL, keys: readonly K[]): Partial<Record<K, string>> {
  const found: Partial<Record<K, string>> = {};
  for (const key of keys) {
    const v = url.searchParams.get(key);
    if (v !== null && v !== "") found[key] = v;
    url.searchParams.delete(key);
  }
  return found;
}

function modeOf(mode: string | undefined): { mode?: PostgresMode } {
  if (mode === undefined || mode === "") return {};
  if (mode === "rollup" || mode === "items") return { mode };
  throw new UsageError(`Unknown store mode ${JSON.stringify(mode)}; use rollup or items`);
}

/** A short human description of a store, without secrets. */
export function describeStore(spec: StoreSpec): string {
  switch (spec.kind) {
    case "memory":
      return "memory (not persisted)";
    case "redis":
      return `redis ${redactUrl(spec.url)}${spec.prefix ? ` prefix ${spec.prefix}` : ""}${spec.durability && spec.durability !== "async" ? " (replicated writes)" : ""}`;
    case "postgres":
      return `postgres ${redactUrl(spec.url)}${spec.schema ? ` schema ${spec.schema}` : ""}${spec.mode ? ` (${spec.mode})` : ""}`;
    case "pglite":
      return `pglite ${spec.dataDir ?? "memory"}${spec.schema ? ` schema ${spec.schema}` : ""}${spec.mode ? ` (${spec.mode})` : ""}`;
  }
}

/**
 * Create the store. Backends are imported only when chosen, so `memory:` works
 * without ioredis, pg or PGlite installed.
 */
export async function openStore(spec: StoreSpec): Promise<Store> {
  const create = await factoryOf(spec);
  // Store factories validate their options at once: a bad option came from the URL.
  return usage(create);
}

async function factoryOf(spec: StoreSpec): Promise<() => Store> {
  switch (spec.kind) {
    case "memory": {
      const { memoryStore } = await import("../stores/memory/index.js");
      return () => memoryStore();
    }
    case "redis": {
      const { redisStore } = await import("../stores/redis/index.js");
      return () =>
        redisStore({
          url: spec.url,
          ...(spec.prefix ? { prefix: spec.prefix } : {}),
          ...(spec.retention ? { retention: spec.retention } : {}),
          ...(spec.durability ? { durability: spec.durability } : {}),
        });
    }
    case "postgres": {
      const { postgresStore } = await import("../stores/postgres/index.js");
      return () => postgresStore({ url: spec.url, ...pgOptions(spec) });
    }
    case "pglite": {
      const { postgresStore } = await import("../stores/postgres/index.js");
      const target = spec.dataDir === undefined ? { url: "pglite:memory" } : { dataDir: spec.dataDir };
      return () => postgresStore({ ...target, ...pgOptions(spec) });
    }
  }
}

function pgOptions(spec: { schema?: string; mode?: PostgresMode; retention?: Retention }) {
  return {
    ...(spec.schema ? { schema: spec.schema } : {}),
    ...(spec.mode ? { mode: spec.mode } : {}),
    ...(spec.retention ? { retention: spec.retention } : {}),
  };
}
