import { randomBytes } from "node:crypto";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import type { PostgresStoreMode } from "../../src/stores/postgres/index.js";
import { postgresStore } from "../../src/stores/postgres/index.js";
import type { StoreNamespace } from "./suite.js";

/** The Postgres server the tests use (database `test`). */
export const POSTGRES_URL = process.env.TALLYBOARD_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

/** A schema name unique to this run and call. */
export const uniqueSchema = (tag: string): string =>
  `tbt_${tag}_${process.pid}_${randomBytes(4).toString("hex")}`;

/** Drop a schema on the test server. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

/** Namespaces on the server: a fresh schema each, stores open their own pool. */
export function serverNamespaces(mode: PostgresStoreMode) {
  return async (): Promise<StoreNamespace> => {
    const schema = uniqueSchema(mode);
    return {
      open: () => postgresStore({ url: POSTGRES_URL, schema, mode, maxConnections: 4 }),
      cleanup: () => dropSchema(schema),
    };
  };
}

/**
 * Namespaces on one in-memory PGlite (starting one takes seconds): a fresh
 * schema each; stores get the instance as a client, so disposing them leaves it open.
 */
export function pgliteNamespaces(mode: PostgresStoreMode) {
  let db: Promise<PGlite> | undefined;
  const namespace = async (): Promise<StoreNamespace> => {
    db ??= PGlite.create();
    const client = await db;
    const schema = uniqueSchema(mode);
    return {
      open: () => postgresStore({ client, schema, mode }),
      cleanup: async () => {
        await client.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      },
    };
  };
  const close = async () => {
    await (await db)?.close();
    db = undefined;
  };
  return { namespace, close };
}

/**
 * For a test file: an admin connection to the test server (open for the whole
 * file) and `fresh(tag)`, a new schema name dropped after the file's tests.
 */
export function serverSchemas() {
  const schemas: string[] = [];
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  beforeAll(() => admin.connect());
  afterAll(async () => {
    await admin.end();
    for (const schema of schemas) await dropSchema(schema);
  });
  const fresh = (tag: string): string => {
    const schema = uniqueSchema(tag);
    schemas.push(schema);
    return schema;
  };
  return { admin, fresh };
}
