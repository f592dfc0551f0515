/**
 * The Redis store on an ioredis 5 client (RESP2 replies: arrays, not maps or
 * sets), passed as `client`: the whole conformance and overflow suites, and
 * exactly-once direct records through replies lost after Redis ran them.
 * ioredis 5 is installed as the devDependency alias `ioredis5`.
 */
import { Redis as Redis5 } from "ioredis5";
import { afterAll, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/core/index.js";
import { redisStore } from "../../src/stores/redis/index.js";
import { storeEquivalence } from "./equivalence.js";
import { randomPrefix, SHARED_URL, startRedis } from "./redis-helpers.js";
import { startFaultProxy } from "./redis-proxy.js";
import { type StoreNamespace, storeConformance, storeOverflowConformance } from "./suite.js";

const clients: Redis5[] = [];
const client5 = (url: string): Redis5 => {
  const c = new Redis5(url, { maxRetriesPerRequest: 1 });
  c.on("error", () => {});
  clients.push(c);
  return c;
};
const admin = client5(SHARED_URL);
afterAll(() => {
  for (const c of clients) c.disconnect();
});

async function namespace(): Promise<StoreNamespace> {
  const prefix = randomPrefix();
  return {
    open: () => redisStore({ client: client5(SHARED_URL), prefix }),
    cleanup: async () => {
      let cursor = "0";
      do {
        const [next, keys] = await admin.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
        cursor = next;
        if (keys.length > 0) await admin.unlink(...keys);
      } while (cursor !== "0");
    },
  };
}

storeConformance("redis on ioredis 5", namespace);
storeEquivalence("redis on ioredis 5", namespace);
storeOverflowConformance("redis on ioredis 5", namespace);

describe("redis store on ioredis 5", () => {
  it("counts records once through lost replies and cut requests", async () => {
    const server = await startRedis();
    const proxy = await startFaultProxy(server.port);
    const m = createMetrics({
      store: redisStore({ client: client5(proxy.url), prefix: "v5" }),
      now: () => 0,
    });
    try {
      let resolved = 0;
      for (let round = 0; round < 10; round++) {
        const calls = Array.from({ length: 50 }, (_, i) =>
          m.record(i % 2 ? "a" : "b", { category: "c" }).then(() => {
            resolved += 1;
          }),
        );
        await proxy.inject(round % 2 ? "swallow" : "cut");
        await Promise.all(calls);
      }
      expect(resolved).toBe(500);
      expect((await m.total("a")) + (await m.total("b"))).toBe(500);
      expect(await m.categorySlugs("c")).toEqual(["a", "b"]);
    } finally {
      await m.dispose();
      await proxy.close();
      await server.stop();
    }
  }, 60_000);
});
