// Client entry: `import { ... } from "gateway-presence"`.
import { registerBinding } from "./client/bindings.js";
import { openClawBinding } from "./transport/openclaw.js";

export * from "./protocol/index.js";
export * from "./validation/index.js";
export { createPresenceMethods, type CallOptions, type NoParams, type PresenceMethods, type RequestFn } from "./generated/client.js";
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

// `binding: "openclaw"` by name; src/client alone (the lean browser SDK) knows only jsonrpc.
registerBinding(openClawBinding);
