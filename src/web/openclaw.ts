/**
 * The `openclaw` binding for the page, loaded only when the address asks for it (`?binding=openclaw`),
 * so the default page carries none of it. Its device identity is an Ed25519 key made with WebCrypto
 * and kept in localStorage, so the browser stays one device across reloads.
 */
import type { ClientBinding } from "../transport/binding.js";
import type { DeviceIdentity } from "../transport/device-identity.js";
import { loadOrCreateWebDeviceIdentity, localStorageDeviceIdentityStore } from "../transport/device-identity-web.js";
import { createOpenClawBinding } from "../transport/openclaw.js";

export interface PageBinding {
  binding: ClientBinding;
  /** The device identity that signs `connect`, or why there is none (no Ed25519 in this WebCrypto, no localStorage). */
  device: DeviceIdentity | { unavailable: string };
}

/** The page's persisted device identity (made on first use). */
export function pageDeviceIdentity(): Promise<DeviceIdentity> {
  return loadOrCreateWebDeviceIdentity(localStorageDeviceIdentityStore());
}

export async function openClawPageBinding(): Promise<PageBinding> {
  try {
    const device = await pageDeviceIdentity();
    return { binding: createOpenClawBinding({ device }), device };
  } catch (error) {
    // Connect unsigned: OpenClaw 2026.9.x then grants fewer scopes, which the page reports.
    return { binding: createOpenClawBinding({ device: false }), device: { unavailable: (error as Error).message } };
  }
}
