import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll } from "vitest";
import { redisStore } from "../../src/stores/redis/index.js";
import { storeEquivalence } from "./equivalence.js";
import { type StoreNamespace, storeConformance } from "./suite.js";

const URL = "redis://127.0.0.1:6379";
const admin = new Redis(URL);
afterAll(() => admin.quit());

/** Delete every key under a prefix (SCAN + UNLINK). */
async function dropPrefix(prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await admin.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await admin.unlink(...keys);
  } while (cursor !== "0");
}

/** A fresh random prefix on the shared Redis; every store opened shares it. */
async function namespace(): Promise<StoreNamespace> {
  const prefix = `tbtest-${randomBytes(6).toString("hex")}`;
  return { open: () => redisStore({ url: URL, prefix }), cleanup: () => dropPrefix(prefix) };
}

storeConformance("redis", namespace);
storeEquivalence("redis", namespace);
