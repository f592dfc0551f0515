import { Redis } from "ioredis";
import { afterAll } from "vitest";
import { redisStore } from "../../src/stores/redis/index.js";
import { storeEquivalence } from "./equivalence.js";
import { dropPrefix, randomPrefix, SHARED_URL } from "./redis-helpers.js";
import { type StoreNamespace, storeConformance, storeOverflowConformance } from "./suite.js";

const admin = new Redis(SHARED_URL);
afterAll(() => admin.quit());

/** A fresh random prefix on the shared Redis; every store opened on it shares the data. */
async function namespace(): Promise<StoreNamespace> {
  const prefix = randomPrefix();
  return { open: () => redisStore({ url: SHARED_URL, prefix }), cleanup: () => dropPrefix(admin, prefix) };
}

storeConformance("redis", namespace);
storeEquivalence("redis", namespace);
storeOverflowConformance("redis", namespace);
