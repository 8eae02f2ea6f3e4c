/**
 * Device identity in Node: node:crypto Ed25519 and a JSON file in the user's config directory
 * (mode 0600). Node only; browsers use device-identity-web.ts.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as edSign } from "node:crypto";
import { rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { configDir, makeFolders, readTextIfExists } from "./config-files-node.js";
import {
  base64UrlEncode,
  checkStoredDeviceIdentity,
  parseStoredDeviceIdentity,
  deviceIdFromPublicKey,
  loadOrCreateDeviceIdentity,
  type DeviceIdentity,
  type DeviceIdentityStore,
  type StoredDeviceIdentity,
} from "./device-identity.js";

export function defaultDeviceIdentityPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), "device-identity.json");
}

export async function generateNodeDeviceIdentity(now: () => number = Date.now): Promise<StoredDeviceIdentity> {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  // The SPKI DER of an Ed25519 key is a fixed 12-byte prefix followed by the raw 32 bytes.
  const raw = new Uint8Array(publicKey.export({ format: "der", type: "spki" }).subarray(-32));
  return {
    version: 1,
    deviceId: await deviceIdFromPublicKey(raw),
    publicKey: base64UrlEncode(raw),
    privateKeyPkcs8: base64UrlEncode(new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" }))),
    createdAtMs: now(),
  };
}

export async function nodeDeviceIdentity(stored: StoredDeviceIdentity): Promise<DeviceIdentity> {
  const checked = await checkStoredDeviceIdentity(stored);
  const key = createPrivateKey({ key: Buffer.from(checked.privateKeyPkcs8, "base64url"), format: "der", type: "pkcs8" });
  const derivedRaw = createPublicKey(key).export({ format: "der", type: "spki" }).subarray(-32);
  if (base64UrlEncode(new Uint8Array(derivedRaw)) !== checked.publicKey) {
    throw new Error("stored device identity: privateKeyPkcs8 does not belong to publicKey");
  }
  return {
    deviceId: checked.deviceId,
    publicKey: checked.publicKey,
    sign: async (payload) => edSign(null, Buffer.from(payload, "utf8"), key).toString("base64url"),
  };
}

/** A JSON file; written atomically (temp file + rename) with mode 0600. */
export function fileDeviceIdentityStore(path: string = defaultDeviceIdentityPath()): DeviceIdentityStore {
  return {
    async load() {
      const text = await readTextIfExists(path);
      if (text === undefined) return undefined;
      try {
        return await parseStoredDeviceIdentity(text);
      } catch (error) {
        throw new Error(`${path}: ${(error as Error).message}`);
      }
    },
    async save(identity) {
      await makeFolders(dirname(path), 0o700);
      const temp = `${path}.${process.pid}.tmp`;
      await writeFile(temp, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o600 });
      await rename(temp, path);
    },
  };
}

/** Loads the stored identity, or creates and stores one on first use. */
export async function loadOrCreateNodeDeviceIdentity(store: DeviceIdentityStore = fileDeviceIdentityStore()): Promise<DeviceIdentity> {
  return loadOrCreateDeviceIdentity(store, () => generateNodeDeviceIdentity(), nodeDeviceIdentity);
}
