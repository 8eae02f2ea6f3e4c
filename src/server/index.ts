// Server entry: `import { ... } from "gateway-presence/server"`.
export type { PresenceHandlers } from "../generated/server.js";
export * from "../protocol/index.js";
export * from "../validation/index.js";
