// Server entry: `import { ... } from "gateway-presence/server"`.
export type { PresenceHandlers } from "../generated/server.js";
export * from "../protocol/index.js";
export * from "../validation/index.js";
export { createGateway, type Gateway, type GatewayListener } from "./gateway.js";
export { BINDING_NAMES, GATEWAY_DEFAULTS, InsecureListenerError, type GatewayOptions, type ListenerOptions, type RedisGatewayOptions, type StoreFactory } from "./options.js";
export { createMemoryPresenceStore } from "../presence/memory-store.js";
export { createRedisPresenceStore, type RedisPresenceStore, type RedisPresenceStoreOptions } from "../presence/redis/index.js";
export type { PresenceStore, PresenceStoreOptions, PresenceStoreStatus } from "../presence/types.js";
// Helpers for writing or driving a store (docs/presence-store.md): the key rule, the test clock, P3.
export { presenceKey, SELF_KEY } from "../presence/types.js";
export { manualClock, systemClock, type ManualClock } from "../presence/clock.js";
export { DEFAULT_EPHEMERAL_MODES, isEphemeralMode } from "../presence/ephemeral.js";
export type { GatewayMetrics } from "./core/context.js";
export type { GatewayFaults, GatewayFaultName } from "./faults.js";
export { FAULT_NAMES } from "./faults.js";
export { DEFAULT_RATE_LIMIT, type RateLimit } from "./core/rate-limiter.js";
export { DEFAULT_LIMITS, type AuthFailureLimits, type ConnectionRateLimit, type GatewayLimits, type GatewayLimitsOptions } from "./limits/options.js";
export { GatewayError } from "./core/errors.js";
export { isLoopbackAddress } from "./core/remote-address.js";
export type { EventFrame, Push, ServerBinding, ServerBindingFactory } from "./core/binding.js";
