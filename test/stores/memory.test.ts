import { memoryStore } from "../../src/stores/memory/index.js";
import { storeEquivalence } from "./equivalence.js";
import { storeOverflowConformance } from "./overflow.js";
import { storeConformance } from "./suite.js";

storeConformance("memory", async () => {
  const store = memoryStore();
  return { open: () => store, cleanup: async () => {} };
});

storeOverflowConformance("memory", async () => {
  const store = memoryStore();
  return { open: () => store, cleanup: async () => {} };
});

// The memory store against a second memory store: checks the property itself is sound.
storeEquivalence("memory", async () => {
  const store = memoryStore();
  return { open: () => store, cleanup: async () => {} };
});
