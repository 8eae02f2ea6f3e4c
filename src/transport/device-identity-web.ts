/** Device identity with WebCrypto (browsers; also works in Node >= 20) and a localStorage store. */
import {
  base64UrlDecode,
  base64UrlEncode,
  checkStoredDeviceIdentity,
  parseStoredDeviceIdentity,
  deviceIdFromPublicKey,
  loadOrCreateDeviceIdentity,
  type DeviceIdentity,
  type DeviceIdentityStore,
  type StoredDeviceIdentity,
} from "./device-identity.js";

const ED25519 = { name: "Ed25519" } as const;

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error("WebCrypto is not available (a secure context is needed for crypto.subtle)");
  return s;
}

export async function generateWebDeviceIdentity(now: () => number = Date.now): Promise<StoredDeviceIdentity> {
  const pair = (await subtle().generateKey(ED25519, true, ["sign", "verify"])) as CryptoKeyPair;
  const raw = new Uint8Array(await subtle().exportKey("raw", pair.publicKey));
  const pkcs8 = new Uint8Array(await subtle().exportKey("pkcs8", pair.privateKey));
  return {
    version: 1,
    deviceId: await deviceIdFromPublicKey(raw),
    publicKey: base64UrlEncode(raw),
    privateKeyPkcs8: base64UrlEncode(pkcs8),
    createdAtMs: now(),
  };
}

export async function webDeviceIdentity(stored: StoredDeviceIdentity): Promise<DeviceIdentity> {
  const checked = await checkStoredDeviceIdentity(stored);
  const key = await subtle().importKey("pkcs8", base64UrlDecode(checked.privateKeyPkcs8) as Uint8Array<ArrayBuffer>, ED25519, false, ["sign"]);
  return {
    deviceId: checked.deviceId,
    publicKey: checked.publicKey,
    async sign(payload) {
      return base64UrlEncode(new Uint8Array(await subtle().sign(ED25519, key, new TextEncoder().encode(payload))));
    },
  };
}

/** Minimal Storage surface, so tests and non-DOM hosts can pass their own. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const DEFAULT_DEVICE_IDENTITY_KEY = "gateway-presence.device-identity";

export function localStorageDeviceIdentityStore(
  storage: KeyValueStorage | undefined = (globalThis as { localStorage?: KeyValueStorage }).localStorage,
  key = DEFAULT_DEVICE_IDENTITY_KEY,
): DeviceIdentityStore {
  if (!storage) throw new Error("localStorage is not available; pass a storage or use memoryDeviceIdentityStore()");
  return {
    async load() {
      const text = storage.getItem(key);
      return text === null ? undefined : parseStoredDeviceIdentity(text);
    },
    async save(identity) {
      storage.setItem(key, JSON.stringify(identity));
    },
  };
}

/** Loads the stored identity, or creates and stores one on first use. */
export async function loadOrCreateWebDeviceIdentity(store: DeviceIdentityStore): Promise<DeviceIdentity> {
  return loadOrCreateDeviceIdentity(store, () => generateWebDeviceIdentity(), webDeviceIdentity);
}
