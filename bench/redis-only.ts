/**
 * `npx tsx bench/redis-only.ts [scale]`: the Redis section of `npm run bench`
 * alone, on its own private redis-server (scale 1 = the full run). Prints the
 * table; writes nothing.
 */
import { renderSection } from "./_print.js";
import { startPrivateRedis } from "./_server.js";
import { run } from "./redis.js";

const scale = Number(process.argv[2] ?? "1");
const server = await startPrivateRedis();
try {
  const section = await run({
    redisUrl: server.url,
    postgresUrl: undefined,
    scale,
    log: (message) => process.stderr.write(`[bench] ${message}\n`),
  });
  process.stdout.write(`${renderSection(section)}\n`);
} finally {
  await server.stop();
}
