/** The server's wire bindings by name (SPEC T2). A new binding is one file here and one line below. */
import type { BindingName } from "../../transport/binding.js";
import type { ServerBindingFactory } from "../core/binding.js";
import { createJsonRpcBinding } from "./jsonrpc.js";
import { createOpenClawBinding } from "./openclaw.js";

export const SERVER_BINDINGS: Record<BindingName, ServerBindingFactory> = {
  jsonrpc: createJsonRpcBinding,
  openclaw: createOpenClawBinding,
};
