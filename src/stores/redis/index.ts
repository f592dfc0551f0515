export type { RedisClient } from "./_client.js";
export type { RedisStoreOptions } from "./_options.js";
export { redisStore } from "./redis-store.js";
