/**
 * The `openclaw` binding (SPEC T2): OpenClaw's native frames
 * `{type:"req",id,method,params}`, `{type:"res",id,ok,payload|error}`, `{type:"event",event,payload,seq?,stateVersion?}`.
 * Speaks protocols 3 (2026.1.x) and 4 (2026.9.x); waits for `connect.challenge`, signs its nonce
 * with a device identity when one is given, maps actor clients onto OpenClaw's enums and
 * OpenClaw's error codes onto SPEC §10 names. Browser-safe.
 */
import type { ConnectParams } from "../protocol/connect.js";
import type { ClientBinding } from "./binding.js";
import { signDeviceAuth, type DeviceAuthVersion, type DeviceIdentity } from "./device-identity.js";
import { FrameDecodeError, type InboundFrame, type RequestId } from "./frames.js";
import { mapClientForOpenClaw, ORIGIN_REQUIRED_MODES, originForUrl } from "./openclaw-client-ids.js";
import { mapOpenClawError, type OpenClawError } from "./openclaw-errors.js";

export const OPENCLAW_PROTOCOL = { min: 3, max: 4 } as const;

/** SPEC H7's default operator scopes; OpenClaw's own default is none, so the binding sends them. */
export const DEFAULT_OPERATOR_SCOPES: readonly string[] = ["operator.read", "operator.write"];

export interface OpenClawBindingOptions {
  /** Signs `connect` (a `device` block); 2026.9.x grants most clients no scope without one. */
  device?: DeviceIdentity | (() => Promise<DeviceIdentity>);
  /** Device-auth payload version; `v2` (default) is accepted by both releases, `v3` by 2026.9.x only. */
  signatureVersion?: DeviceAuthVersion;
  /** Map client ids and modes onto OpenClaw's enums (default true). */
  mapClient?: boolean;
  /** `Origin` sent for browser-like modes (webchat); default: the gateway URL's http(s) origin; false: none. */
  origin?: string | false;
  /** How long to wait for `connect.challenge` (default 5000 ms). */
  challengeTimeoutMs?: number;
  /** Told what the mapping changed in each connect (for reports). */
  onClientMapped?: (changes: string[]) => void;
  now?: () => number;
}

/** Request ids travel as strings; a canonical non-negative integer string comes back as a number. */
function decodeId(id: unknown, text: string): RequestId {
  if (typeof id === "number" && Number.isFinite(id)) return id;
  if (typeof id !== "string") throw new FrameDecodeError("res frame without a string id", text);
  return /^(0|[1-9][0-9]{0,15})$/.test(id) && Number.isSafeInteger(Number(id)) ? Number(id) : id;
}

function isOpenClawError(value: unknown): value is OpenClawError {
  const e = value as Partial<OpenClawError> | null;
  return e !== null && typeof e === "object" && typeof e.code === "string" && typeof e.message === "string";
}

/** `stateVersion` of an event frame: `{presence: n, ...}` (or a bare number) -> n. */
function presenceVersion(stateVersion: unknown): number | undefined {
  if (typeof stateVersion === "number") return stateVersion;
  const v = (stateVersion as { presence?: unknown } | null | undefined)?.presence;
  return typeof v === "number" ? v : undefined;
}

export function decodeOpenClawFrame(text: string): InboundFrame[] {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    throw new FrameDecodeError("not JSON", text);
  }
  if (frame === null || typeof frame !== "object" || Array.isArray(frame)) throw new FrameDecodeError("not an OpenClaw frame object", text);
  const f = frame as Record<string, unknown>;
  if (f.type === "res") {
    const id = decodeId(f.id, text);
    if (f.ok === true) return [{ kind: "result", id, result: f.payload }];
    if (f.ok === false && isOpenClawError(f.error)) return [{ kind: "error", id, error: mapOpenClawError(f.error) }];
    throw new FrameDecodeError('res frame needs "ok": true with a payload, or "ok": false with {code, message}', text);
  }
  if (f.type === "event") {
    if (typeof f.event !== "string") throw new FrameDecodeError("event frame without an event name", text);
    const stateVersion = presenceVersion(f.stateVersion);
    let payload = f.payload;
    // The SDK expects SPEC E1's {presence, stateVersion}; OpenClaw puts stateVersion on the frame.
    if (f.event === "presence" && stateVersion !== undefined && payload !== null && typeof payload === "object" && !("stateVersion" in payload)) {
      payload = { ...payload, stateVersion: { presence: stateVersion } };
    }
    return [
      {
        kind: "event",
        event: f.event,
        payload,
        ...(typeof f.seq === "number" ? { seq: f.seq } : {}),
        ...(stateVersion !== undefined ? { stateVersion } : {}),
      },
    ];
  }
  throw new FrameDecodeError(`unknown frame type ${JSON.stringify(f.type)}`, text);
}

export function encodeOpenClawRequest(id: RequestId, method: string, params: unknown): string {
  const frame: Record<string, unknown> = { type: "req", id: String(id), method };
  if (params !== undefined) frame.params = params;
  return JSON.stringify(frame);
}

function challengeNonce(payload: unknown): string {
  const nonce = (payload as { nonce?: unknown } | null | undefined)?.nonce;
  if (typeof nonce !== "string" || nonce.trim() === "") throw new Error("connect.challenge carried no nonce");
  return nonce;
}

export function createOpenClawBinding(options: OpenClawBindingOptions = {}): ClientBinding {
  const mapClient = options.mapClient ?? true;
  const now = options.now ?? Date.now;
  let identity: Promise<DeviceIdentity> | undefined;
  const loadIdentity = () => {
    const d = options.device;
    if (!d) return undefined;
    identity ??= typeof d === "function" ? d() : Promise.resolve(d);
    return identity;
  };

  return {
    name: "openclaw",
    protocol: { ...OPENCLAW_PROTOCOL },
    encodeRequest: encodeOpenClawRequest,
    decode: decodeOpenClawFrame,
    upgradeHeaders(url, params) {
      if (options.origin === false) return undefined;
      const mode = mapClient ? mapClientForOpenClaw(params.client).client.mode : params.client.mode;
      return ORIGIN_REQUIRED_MODES.includes(mode) ? { Origin: options.origin ?? originForUrl(url) } : undefined;
    },
    async prepareConnect(params: ConnectParams, context) {
      const nonce = challengeNonce(await context.waitForEvent("connect.challenge", options.challengeTimeoutMs ?? 5000));
      const changes: string[] = [];
      const wire: Record<string, unknown> = { ...params };
      let client = params.client;
      if (mapClient) {
        const mapped = mapClientForOpenClaw(client);
        client = mapped.client;
        changes.push(...mapped.changes);
      }
      wire.client = client;
      const role = params.role ?? "operator";
      if (params.scopes === undefined && role === "operator") {
        wire.scopes = [...DEFAULT_OPERATOR_SCOPES];
        changes.push(`scopes absent -> ${JSON.stringify(DEFAULT_OPERATOR_SCOPES)} (SPEC H7 default; OpenClaw's is none)`);
      }
      const signer = loadIdentity();
      if (signer) {
        const auth = params.auth as { token?: string; deviceToken?: string } | undefined;
        wire.device = await signDeviceAuth(await signer, options.signatureVersion ?? "v2", {
          clientId: client.id,
          clientMode: client.mode,
          role,
          scopes: (wire.scopes as string[] | undefined) ?? [],
          signedAtMs: now(),
          token: auth?.token ?? auth?.deviceToken ?? null,
          nonce,
          platform: client.platform,
          deviceFamily: client.deviceFamily,
        });
      }
      options.onClientMapped?.(changes);
      return wire;
    },
  };
}

/** The binding without a device identity (enough for 2026.1.x and for cli/backend clients of 2026.9.x). */
export const openClawBinding: ClientBinding = createOpenClawBinding();
