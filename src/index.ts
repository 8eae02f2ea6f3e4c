// Client entry: `import { ... } from "gateway-presence"`.
export * from "./protocol/index.js";
export * from "./validation/index.js";
export { createPresenceMethods, type CallOptions, type PresenceMethods, type RequestFn } from "./generated/client.js";
export { EVENT_NAMES, EVENT_SCHEMAS, type EventMap, type EventName } from "./generated/events.js";
export {
  METHOD_NAMES,
  METHOD_SCHEMAS,
  TEST_ONLY_METHODS,
  type MethodMap,
  type MethodName,
  type MethodParams,
  type MethodResult,
} from "./generated/methods.js";
export * from "./client/index.js";
export * from "./transport/index.js";
