// The presence store: interface, in-memory implementation and helpers. (The Redis store is
// ./redis/index.js, kept apart so that importing this file never loads a Redis client.)
export * from "./types.js";
export { createMemoryPresenceStore, normaliseKey, type MemoryStoreSeed } from "./memory-store.js";
export { manualClock, systemClock, type ManualClock } from "./clock.js";
export { DEFAULT_EPHEMERAL_MODES, isEphemeralMode } from "./ephemeral.js";
export { MAX_LIST_ITEMS, PresenceInputError, unionList } from "./merge.js";
export { DEFAULT_MAX_ENTRIES, DEFAULT_TTL_MS } from "./options.js";
