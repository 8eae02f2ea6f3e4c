/**
 * OpenClaw device identity, server side: verifies the signed `device` block of `connect` the way
 * OpenClaw 2026.9.x does (connect-device-proof): device id = sha256 of the raw Ed25519 public key,
 * `signedAt` within two minutes of the gateway's clock, the nonce of this connection's
 * `connect.challenge` (so a signature captured on one connection is refused on any other), and an
 * Ed25519 signature over the v3 payload, else the v2 payload (src/transport/device-identity.ts builds
 * both, for the client and here). Every refusal is INVALID_REQUEST with `details.code`
 * DEVICE_AUTH_* and `details.reason`, then close 1008. Rows stay keyed by instanceId (SPEC K1).
 */
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import type { ConnectParams } from "../../protocol/connect.js";
import {
  base64UrlDecode,
  buildDeviceAuthPayload,
  deviceIdFromPublicKey,
  type DeviceAuthFields,
  type DeviceAuthVersion,
} from "../../transport/device-identity.js";
import { OpenClawNativeError } from "./openclaw-errors.js";

/** OpenClaw 2026.9.x's DEVICE_SIGNATURE_SKEW_MS (2026.1.x allowed ten minutes). */
export const DEVICE_SIGNATURE_SKEW_MS = 120_000;

/** OpenClaw's device-auth failure reasons and their `details.code`. */
const DETAIL_CODES = {
  "device-id-mismatch": "DEVICE_AUTH_DEVICE_ID_MISMATCH",
  "device-signature-stale": "DEVICE_AUTH_SIGNATURE_EXPIRED",
  "device-nonce-missing": "DEVICE_AUTH_NONCE_REQUIRED",
  "device-nonce-mismatch": "DEVICE_AUTH_NONCE_MISMATCH",
  "device-signature": "DEVICE_AUTH_SIGNATURE_INVALID",
  "device-public-key": "DEVICE_AUTH_PUBLIC_KEY_INVALID",
} as const;

export type DeviceAuthFailure = keyof typeof DETAIL_CODES;

/** The `device` block of OpenClaw's ConnectParams. */
interface DeviceBlock {
  id: string;
  publicKey: string;
  signature: string;
  signedAt: number;
  nonce: string;
}

export interface VerifiedDevice {
  deviceId: string;
  /** Which payload the signature covers. */
  version: DeviceAuthVersion;
}

/** A refused device block: the message OpenClaw sends, with its detail code. */
export function deviceAuthError(reason: DeviceAuthFailure, message: string): OpenClawNativeError {
  return new OpenClawNativeError("UNAUTHORIZED", { code: "INVALID_REQUEST", message, details: { code: DETAIL_CODES[reason], reason } });
}

/** Checks the shape OpenClaw's schema gives `device` (closed, non-empty strings, integer signedAt). */
function deviceBlock(value: unknown): DeviceBlock {
  const d = value as Record<string, unknown> | null;
  const bad = (why: string) => new OpenClawNativeError("INVALID_PARAMS", { code: "INVALID_REQUEST", message: `invalid connect params: at /device: ${why}` });
  if (d === null || typeof d !== "object" || Array.isArray(d)) throw bad("must be object");
  for (const key of Object.keys(d)) if (!["id", "publicKey", "signature", "signedAt", "nonce"].includes(key)) throw bad(`unexpected property '${key}'`);
  for (const key of ["id", "publicKey", "signature"] as const) {
    if (typeof d[key] !== "string" || d[key] === "") throw bad(`must have non-empty string property '${key}'`);
  }
  if (d.signedAt !== undefined && (!Number.isInteger(d.signedAt) || (d.signedAt as number) < 0)) throw bad("signedAt must be an integer >= 0");
  if (d.nonce !== undefined && typeof d.nonce !== "string") throw bad("nonce must be a string");
  return d as unknown as DeviceBlock;
}

/** Raw 32-byte key from base64url/base64 or a PEM SPKI (OpenClaw accepts all three). */
function rawPublicKey(text: string): Uint8Array | undefined {
  try {
    if (text.includes("BEGIN PUBLIC KEY")) {
      const der = createPublicKey(text).export({ format: "der", type: "spki" });
      return der.length === 44 ? new Uint8Array(der.subarray(12)) : undefined;
    }
    const raw = base64UrlDecode(text.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, ""));
    return raw.length === 32 ? raw : undefined;
  } catch {
    return undefined;
  }
}

function ed25519Key(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(raw).toString("base64url") }, format: "jwk" });
}

function signatureValid(key: KeyObject, payload: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(payload, "utf8"), key, Buffer.from(signature, "base64url"));
  } catch {
    return false;
  }
}

/**
 * Verifies `params.device` against this connection's challenge `nonce`; throws the refusal. Returns
 * undefined when there is no device block (our contract does not require one).
 */
export async function verifyDevice(params: ConnectParams, nonce: string, now: number): Promise<VerifiedDevice | undefined> {
  const given = (params as { device?: unknown }).device;
  if (given === undefined) return undefined;
  const device = deviceBlock(given);
  const raw = rawPublicKey(device.publicKey);
  if (raw === undefined || (await deviceIdFromPublicKey(raw)) !== device.id) {
    throw deviceAuthError("device-id-mismatch", "device identity mismatch");
  }
  if (typeof device.signedAt !== "number" || Math.abs(now - device.signedAt) > DEVICE_SIGNATURE_SKEW_MS) {
    throw deviceAuthError("device-signature-stale", "device signature expired");
  }
  const provided = typeof device.nonce === "string" ? device.nonce.trim() : "";
  if (!provided) throw deviceAuthError("device-nonce-missing", "device nonce required");
  if (provided !== nonce) throw deviceAuthError("device-nonce-mismatch", "device nonce mismatch");

  const auth = params.auth as { token?: string; deviceToken?: string; bootstrapToken?: string } | undefined;
  const fields: DeviceAuthFields = {
    deviceId: device.id,
    clientId: params.client.id,
    clientMode: params.client.mode,
    role: params.role ?? "operator",
    scopes: params.scopes ?? [],
    signedAtMs: device.signedAt,
    token: auth?.token ?? auth?.deviceToken ?? auth?.bootstrapToken ?? null,
    nonce: provided,
    platform: params.client.platform,
    deviceFamily: params.client.deviceFamily,
  };
  const key = ed25519Key(raw);
  for (const version of ["v3", "v2"] as const) {
    if (signatureValid(key, buildDeviceAuthPayload(version, fields), device.signature)) return { deviceId: device.id, version };
  }
  throw deviceAuthError("device-signature", "device signature invalid");
}
