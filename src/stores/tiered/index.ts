export { type ArchiveOptions, type ArchiveResult, archive } from "./archive.js";
export { type TieredStoreOptions, tieredStore } from "./tiered.js";
