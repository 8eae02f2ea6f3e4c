/** Wire bindings by name, so `binding: "openclaw"` works once that binding's module registers itself. */
import type { ClientBinding } from "../transport/binding.js";
import { jsonRpcBinding } from "../transport/jsonrpc.js";

const registry = new Map<string, ClientBinding>([[jsonRpcBinding.name, jsonRpcBinding]]);

/** Makes a binding available by its name (`binding: "openclaw"`). A later registration replaces an earlier one. */
export function registerBinding(binding: ClientBinding): void {
  registry.set(binding.name, binding);
}

/** The binding object for an option value: a binding as is, a name from the registry (default `jsonrpc`). */
export function resolveBinding(binding: ClientBinding | string = "jsonrpc"): ClientBinding {
  if (typeof binding !== "string") return binding;
  const found = registry.get(binding);
  if (!found) {
    throw new Error(
      `unknown binding "${binding}" (registered: ${[...registry.keys()].join(", ")}); ` +
        "pass a ClientBinding object or import the module that registers it",
    );
  }
  return found;
}
