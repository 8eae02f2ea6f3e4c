// The presence store: interface, in-memory implementation and helpers.
export * from "./types.js";
export { createMemoryPresenceStore, normaliseKey } from "./memory-store.js";
export { manualClock, systemClock, type ManualClock } from "./clock.js";
export { DEFAULT_EPHEMERAL_MODES, isEphemeralMode } from "./ephemeral.js";
export { MAX_LIST_ITEMS, PresenceInputError, unionList } from "./merge.js";
export { DEFAULT_MAX_ENTRIES, DEFAULT_TTL_MS } from "./options.js";
