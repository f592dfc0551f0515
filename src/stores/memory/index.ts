export { type MemoryStoreOptions, memoryStore } from "./memory.js";
