/**
 * A child process of the archive crash test: runs one `archive()` from a Redis
 * prefix into a Postgres schema and exits 0 when it finished. The parent
 * SIGKILLs it after a random number of moved chunks and runs it again.
 * argv[2]: JSON { redisUrl, prefix, postgresUrl, schema, timezone, now, olderThan }
 */
import { postgresStore } from "../../src/stores/postgres/index.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { archive } from "../../src/stores/tiered/index.js";

const job = JSON.parse(process.argv[2] ?? "{}") as {
  redisUrl: string;
  prefix: string;
  postgresUrl: string;
  schema: string;
  timezone: string;
  now: number;
  olderThan: string;
};
const from = redisStore({ url: job.redisUrl, prefix: job.prefix });
const to = postgresStore({ url: job.postgresUrl, schema: job.schema, maxConnections: 2 });
try {
  const result = await archive({
    from,
    to,
    olderThan: job.olderThan,
    now: job.now,
    timezone: job.timezone,
    concurrency: 2,
    // One line per chunk moved: the parent kills this process after a chosen number of them.
    onProgress: ({ chunks }) => process.stdout.write(`moved ${chunks}\n`),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await from.dispose();
  await to.dispose();
}
