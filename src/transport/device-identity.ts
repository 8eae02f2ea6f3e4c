/**
 * OpenClaw device identity, the browser-safe part: the signed `device` block of `connect`
 * (an Ed25519 key; 2026.9.x grants `operator.read` to most clients only with one).
 * Key generation and storage live in device-identity-node.ts (node:crypto, a file) and
 * device-identity-web.ts (WebCrypto, localStorage).
 */

/** A key pair that can sign device-auth payloads. */
export interface DeviceIdentity {
  /** sha256 hex of the raw 32-byte public key. */
  readonly deviceId: string;
  /** The raw public key, base64url without padding. */
  readonly publicKey: string;
  /** Ed25519 signature of the UTF-8 payload, base64url without padding. */
  sign(payload: string): Promise<string>;
}

/** What a store keeps; the same format in Node and browsers. */
export interface StoredDeviceIdentity {
  version: 1;
  deviceId: string;
  publicKey: string;
  /** PKCS#8 DER of the private key, base64url. */
  privateKeyPkcs8: string;
  createdAtMs: number;
}

/** Where an identity is persisted (a file, localStorage, or the caller's own store). */
export interface DeviceIdentityStore {
  load(): Promise<StoredDeviceIdentity | undefined>;
  save(identity: StoredDeviceIdentity): Promise<void>;
}

export function memoryDeviceIdentityStore(initial?: StoredDeviceIdentity): DeviceIdentityStore {
  let kept = initial;
  return {
    load: async () => kept,
    save: async (identity) => {
      kept = identity;
    },
  };
}

/** Loads the stored identity, or generates and stores one on first use. */
export async function loadOrCreateDeviceIdentity(
  store: DeviceIdentityStore,
  generate: () => Promise<StoredDeviceIdentity>,
  open: (stored: StoredDeviceIdentity) => Promise<DeviceIdentity>,
): Promise<DeviceIdentity> {
  let stored = await store.load();
  if (!stored) {
    stored = await generate();
    await store.save(stored);
  }
  return open(stored);
}

/** `v2` is accepted by 2026.1.x and 2026.9.x; `v3` (which also binds platform and device family) by 2026.9.x only. */
export type DeviceAuthVersion = "v2" | "v3";

export interface DeviceAuthFields {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  signedAtMs: number;
  /** `auth.token` (else the device token) of the same connect; empty when none. */
  token?: string | null;
  nonce: string;
  platform?: string | null;
  deviceFamily?: string | null;
}

/** Trimmed, ASCII letters lower-cased (OpenClaw lowers only A-Z, not other scripts). */
export function normalizeDeviceMetadata(value: string | null | undefined): string {
  if (typeof value !== "string") return "";
  return value.trim().replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 32));
}

/**
 * The signed text: `v2|deviceId|clientId|mode|role|scopesCSV|signedAt|token|nonce`, and for v3
 * additionally `|platformLower|deviceFamilyLower`.
 */
export function buildDeviceAuthPayload(version: DeviceAuthVersion, f: DeviceAuthFields): string {
  const parts = [version, f.deviceId, f.clientId, f.clientMode, f.role, f.scopes.join(","), String(f.signedAtMs), f.token ?? "", f.nonce];
  if (version === "v3") parts.push(normalizeDeviceMetadata(f.platform), normalizeDeviceMetadata(f.deviceFamily));
  return parts.join("|");
}

/** The `device` object of OpenClaw's ConnectParams. */
export interface DeviceAuthBlock {
  id: string;
  publicKey: string;
  signature: string;
  signedAt: number;
  nonce: string;
}

export async function signDeviceAuth(
  identity: DeviceIdentity,
  version: DeviceAuthVersion,
  fields: Omit<DeviceAuthFields, "deviceId">,
): Promise<DeviceAuthBlock> {
  const payload = buildDeviceAuthPayload(version, { ...fields, deviceId: identity.deviceId });
  return {
    id: identity.deviceId,
    publicKey: identity.publicKey,
    signature: await identity.sign(payload),
    signedAt: fields.signedAtMs,
    nonce: fields.nonce,
  };
}

export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function base64UrlDecode(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const padded = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  const binary = atob(padded);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** sha256 hex of the raw public key (WebCrypto digest: present in browsers and Node >= 20). */
export async function deviceIdFromPublicKey(rawPublicKey: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", rawPublicKey as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A stored identity's JSON text, parsed and checked (checkStoredDeviceIdentity). Text that is not JSON
 * throws `stored device identity: not valid JSON (at position N)`, never JSON.parse's own message: V8
 * quotes the text around the error (`Unexpected token 'M', ..."KeyPkcs8":MC4CAQAwBQ"... is not valid
 * JSON`), and in this text that is the private key.
 */
export async function parseStoredDeviceIdentity(text: string): Promise<StoredDeviceIdentity> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const at = /\bposition (\d+)/.exec(String((error as Error).message))?.[1];
    throw new Error(`stored device identity: not valid JSON${at === undefined ? "" : ` (at position ${at})`}`);
  }
  return checkStoredDeviceIdentity(value);
}

/** Throws naming what is wrong when a stored identity is malformed or its id does not match its key. */
export async function checkStoredDeviceIdentity(value: unknown): Promise<StoredDeviceIdentity> {
  const v = value as Partial<StoredDeviceIdentity> | null;
  if (v === null || typeof v !== "object") throw new Error("stored device identity: not an object");
  if (v.version !== 1) throw new Error("stored device identity: unsupported version");
  for (const key of ["deviceId", "publicKey", "privateKeyPkcs8"] as const) {
    if (typeof v[key] !== "string" || v[key] === "") throw new Error(`stored device identity: missing ${key}`);
  }
  const raw = base64UrlDecode(v.publicKey!);
  if (raw.length !== 32) throw new Error("stored device identity: publicKey is not a raw 32-byte Ed25519 key");
  if ((await deviceIdFromPublicKey(raw)) !== v.deviceId) throw new Error("stored device identity: deviceId does not match publicKey");
  return v as StoredDeviceIdentity;
}
