// The Redis presence store: one list for a cluster of gateways (docs/cluster.md).
export { createRedisPresenceStore, type RedisPresenceStore } from "./store.js";
export {
  DEFAULT_COMMAND_TIMEOUT_MS,
  DEFAULT_DEAD_AFTER_MS,
  DEFAULT_REDIS_PREFIX,
  redactRedisUrl,
  type RedisPresenceStoreOptions,
} from "./options.js";
