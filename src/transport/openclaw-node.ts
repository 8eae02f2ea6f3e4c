/**
 * Node-only conveniences for the `openclaw` binding: a device identity kept in a file in the
 * user's config directory (created on first use). Browsers use device-identity-web.ts.
 */
import type { ClientBinding } from "./binding.js";
import type { DeviceIdentityStore } from "./device-identity.js";
import { fileDeviceIdentityStore, loadOrCreateNodeDeviceIdentity } from "./device-identity-node.js";
import { createOpenClawBinding, type OpenClawBindingOptions } from "./openclaw.js";

export * from "./device-identity-node.js";

export interface NodeOpenClawBindingOptions extends Omit<OpenClawBindingOptions, "device"> {
  /** Where the identity lives (default: `defaultDeviceIdentityPath()`); ignored when `store` is given. */
  identityPath?: string;
  store?: DeviceIdentityStore;
}

/** The `openclaw` binding signing with a persisted Node device identity. */
export function createNodeOpenClawBinding(options: NodeOpenClawBindingOptions = {}): ClientBinding {
  const { identityPath, store, ...rest } = options;
  const chosen = store ?? fileDeviceIdentityStore(identityPath);
  return createOpenClawBinding({ ...rest, device: () => loadOrCreateNodeDeviceIdentity(chosen) });
}
