export type { PostgresClient } from "./_db.js";
export { MIGRATIONS, type Migration } from "./_migrations.js";
export type { PostgresStoreMode, PostgresStoreOptions } from "./_options.js";
export { postgresStore } from "./postgres.js";
