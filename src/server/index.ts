// Server entry: `import { ... } from "gateway-presence/server"`.
export type { PresenceHandlers } from "../generated/server.js";
export * from "../protocol/index.js";
export * from "../validation/index.js";
export { createGateway, type Gateway } from "./gateway.js";
export { GATEWAY_DEFAULTS, type GatewayOptions, type StoreFactory } from "./options.js";
export type { GatewayMetrics } from "./context.js";
export type { GatewayFaults, GatewayFaultName } from "./faults.js";
export { FAULT_NAMES } from "./faults.js";
export { DEFAULT_RATE_LIMIT, type RateLimit } from "./rate-limiter.js";
export { GatewayError } from "./rpc-errors.js";
export { isLoopbackAddress } from "./remote-address.js";
