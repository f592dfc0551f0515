import { memoryStore } from "../../src/stores/memory/index.js";
import { storeConformance } from "./suite.js";

storeConformance("memory", async () => {
  const store = memoryStore();
  return { open: () => store, cleanup: async () => {} };
});
