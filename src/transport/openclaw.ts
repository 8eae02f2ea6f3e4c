/**
 * The `openclaw` binding (SPEC T2): OpenClaw's native frames
 * `{type:"req",id,method,params}`, `{type:"res",id,ok,payload|error}`, `{type:"event",event,payload,seq?,stateVersion?}`.
 * Speaks protocols 3 (2026.1.x) and 4 (2026.9.x); waits for `connect.challenge`, signs its nonce
 * with a device identity when one is given, maps actor clients onto OpenClaw's enums and
 * OpenClaw's error codes onto SPEC §10 names. Browser-safe.
 */
import type { ConnectParams } from "../protocol/connect.js";
import { checkTimerMs } from "../protocol/durations.js";
import type { ClientBinding } from "./binding.js";
import { startJsonRpcCheck } from "./binding-check.js";
import { signDeviceAuth, type DeviceAuthVersion, type DeviceIdentity } from "./device-identity.js";
import { generateWebDeviceIdentity, webDeviceIdentity } from "./device-identity-web.js";
import { FrameDecodeError, otherBindingMessage, SPEAKS_JSONRPC, type InboundFrame, type RequestId } from "./frames.js";
import { idNumeralProblem, numericIdNumeral } from "./id-numeral.js";
import { assertRoundTripId, describeId, requestIdProblem } from "./request-id.js";
import { mapClientForOpenClaw, needsOrigin, originForUrl } from "./openclaw-client-ids.js";
import { mapOpenClawError, type OpenClawError } from "./openclaw-errors.js";

export const OPENCLAW_PROTOCOL = { min: 3, max: 4 } as const;

/** OpenClaw's codes have no PARSE_ERROR: a frame that is not JSON is an INVALID_REQUEST. */
export const OPENCLAW_ERROR_EQUIVALENTS = { PARSE_ERROR: "INVALID_REQUEST" } as const;

/** In-memory "auto" device identities kept per binding object (oldest dropped first). */
const MAX_EPHEMERAL_IDENTITIES = 64;

/** SPEC H7's default operator scopes; OpenClaw's own default is none, so the binding sends them. */
export const DEFAULT_OPERATOR_SCOPES: readonly string[] = ["operator.read", "operator.write"];

export interface OpenClawBindingOptions {
  /**
   * Signs `connect` with this identity (a `device` block) on every gateway. `false`: never sign.
   * Default (`"auto"`): sign only when the challenge advertises `capabilities`, as 2026.9.x does (it
   * grants most clients no scope without a device, while 2026.1.x keys presence rows by device id
   * when one is sent), with in-memory identities: one per distinct signed client (id, mode,
   * platform, family, instanceId, role, scopes), a fresh one for clients without instanceId.
   * Apps that want one device across restarts pass a persisted identity.
   */
  device?: DeviceIdentity | (() => Promise<DeviceIdentity>) | "auto" | false;
  /** Device-auth payload version; default v3 when the challenge advertises `capabilities`, else v2 (2026.1.x accepts only v2). */
  signatureVersion?: DeviceAuthVersion;
  /** Map client ids and modes onto OpenClaw's enums (default true). */
  mapClient?: boolean;
  /** `Origin` sent for browser-like clients (webchat mode, webchat/control UI ids); default: the gateway URL's http(s) origin; false: none. */
  origin?: string | false;
  /** How long to wait for `connect.challenge`, in ms: at most 2147483647 (a timer's longest wait; more throws RangeError). Default 5000. */
  challengeTimeoutMs?: number;
  /** Told what the mapping changed in each connect (for reports). */
  onClientMapped?: (changes: string[]) => void;
  now?: () => number;
}

/** Request ids travel as strings; a canonical non-negative integer string comes back as a number. */
function decodeId(id: unknown, text: string): RequestId {
  if (typeof id === "number") {
    const problem = requestIdProblem(id) ?? idNumeralProblem(id, numericIdNumeral(text));
    if (problem !== undefined) throw new FrameDecodeError(`res frame id ${describeId(id)} ${problem}`, text);
    return id;
  }
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
  if (f.jsonrpc === "2.0" && f.type === undefined) {
    throw new FrameDecodeError(otherBindingMessage("a JSON-RPC 2.0 frame", "jsonrpc"), text, "jsonrpc");
  }
  if (f.type === "res") {
    // An error that answers no request (handshake timeout, unparseable frame) has `id: null`, as in JSON-RPC.
    if (f.id === null && f.ok === false && isOpenClawError(f.error)) return [{ kind: "error", id: null, error: mapOpenClawError(f.error) }];
    const id = decodeId(f.id, text);
    if (f.ok === true) return [{ kind: "result", id, result: f.payload }];
    if (f.ok === false && isOpenClawError(f.error)) return [{ kind: "error", id, error: mapOpenClawError(f.error) }];
    throw new FrameDecodeError('res frame needs "ok": true with a payload, or "ok": false with {code, message}', text);
  }
  if (f.type === "event") {
    if (typeof f.event !== "string") throw new FrameDecodeError("event frame without an event name", text);
    const stateVersion = presenceVersion(f.stateVersion);
    let payload = f.payload;
    // The SDK expects SPEC E1's {presence, stateVersion} (and a delta's); OpenClaw puts stateVersion on the frame.
    if ((f.event === "presence" || f.event === "presence.delta") && stateVersion !== undefined && payload !== null && typeof payload === "object" && !("stateVersion" in payload)) {
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
  assertRoundTripId(id);
  const frame: Record<string, unknown> = { type: "req", id: String(id), method };
  if (params !== undefined) frame.params = params;
  return JSON.stringify(frame);
}

/** 2026.9.x's challenge lists `capabilities`; 2026.1.x's has only `nonce` and `ts`. */
function advertisesCapabilities(challenge: unknown): boolean {
  return Array.isArray((challenge as { capabilities?: unknown } | null | undefined)?.capabilities);
}

function challengeNonce(payload: unknown): string {
  const nonce = (payload as { nonce?: unknown } | null | undefined)?.nonce;
  if (typeof nonce !== "string" || nonce.trim() === "") throw new Error("connect.challenge carried no nonce");
  return nonce;
}

export function createOpenClawBinding(options: OpenClawBindingOptions = {}): ClientBinding {
  const mapClient = options.mapClient ?? true;
  const now = options.now ?? Date.now;
  if (options.challengeTimeoutMs !== undefined) checkTimerMs("openclaw binding: challengeTimeoutMs", options.challengeTimeoutMs);
  let given: Promise<DeviceIdentity> | undefined;
  /** "auto" identities by what they sign: 2026.9.x re-pairs a device whose platform, family or scopes change. */
  const ephemeral = new Map<string, Promise<DeviceIdentity | undefined>>();
  const loadIdentity = (challenge: unknown, params: ConnectParams, scopes: readonly string[]): Promise<DeviceIdentity | undefined> | undefined => {
    const d = options.device ?? "auto";
    if (d === false || (d === "auto" && !advertisesCapabilities(challenge))) return undefined;
    if (d !== "auto") return (given ??= typeof d === "function" ? d() : Promise.resolve(d));
    const c = params.client;
    // Without an instanceId there is no stable client to reuse a device for: a fresh one each time.
    const key = c.instanceId === undefined ? undefined : JSON.stringify([c.id, c.mode, c.platform, c.deviceFamily, c.instanceId, params.role, [...scopes].sort()]);
    const cached = key === undefined ? undefined : ephemeral.get(key);
    if (cached) return cached;
    // No Ed25519 in this WebCrypto: connect unsigned.
    const made = generateWebDeviceIdentity().then(webDeviceIdentity, () => undefined);
    if (key !== undefined) {
      if (ephemeral.size >= MAX_EPHEMERAL_IDENTITIES) ephemeral.delete(ephemeral.keys().next().value!);
      ephemeral.set(key, made);
    }
    return made;
  };

  return {
    name: "openclaw",
    protocol: { ...OPENCLAW_PROTOCOL },
    encodeRequest: encodeOpenClawRequest,
    decode: decodeOpenClawFrame,
    errorEquivalents: OPENCLAW_ERROR_EQUIVALENTS,
    // A JSON-RPC gateway never sends connect.challenge: told apart after half a second of silence.
    startBindingCheck: (context) => startJsonRpcCheck({ ...context, decode: decodeOpenClawFrame, advice: SPEAKS_JSONRPC }),
    upgradeHeaders(url, params) {
      if (options.origin === false) return undefined;
      const client = mapClient ? mapClientForOpenClaw(params.client).client : params.client;
      return needsOrigin(client) ? { Origin: options.origin ?? originForUrl(url) } : undefined;
    },
    async prepareConnect(params: ConnectParams, context) {
      const challenge = context.latestEvent?.("connect.challenge") ?? (await context.waitForEvent("connect.challenge", options.challengeTimeoutMs ?? 5000));
      const nonce = challengeNonce(challenge);
      const changes: string[] = [];
      const wire: Record<string, unknown> = { ...params };
      let client = params.client;
      if (mapClient) {
        const mapped = mapClientForOpenClaw(client);
        client = mapped.client;
        changes.push(...mapped.changes);
        for (const change of mapped.changes) context.adapted?.(change, "OpenClaw accepts only the client ids of its own list");
      }
      wire.client = client;
      const role = params.role ?? "operator";
      if (params.scopes === undefined && role === "operator") {
        wire.scopes = [...DEFAULT_OPERATOR_SCOPES];
        changes.push(`scopes absent -> ${JSON.stringify(DEFAULT_OPERATOR_SCOPES)} (SPEC H7 default; OpenClaw's is none)`);
        context.adapted?.(`scopes ${JSON.stringify(DEFAULT_OPERATOR_SCOPES)} sent explicitly`, "SPEC H7's default; OpenClaw's default is no scope");
      }
      // A caller's own `device` block goes out as given; `device: null` asks for an unsigned connect.
      const own = "device" in params;
      if (params.device === null) delete wire.device;
      const signer = own ? undefined : await loadIdentity(challenge, { ...params, client }, (wire.scopes as string[] | undefined) ?? []);
      if (signer) {
        const auth = params.auth as { token?: string; deviceToken?: string } | undefined;
        const version = options.signatureVersion ?? (advertisesCapabilities(challenge) ? "v3" : "v2");
        wire.device = await signDeviceAuth(signer, version, {
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
        if (options.device === undefined || options.device === "auto") {
          context.adapted?.(`signed with an in-memory device identity (${version})`, "the challenge lists capabilities (OpenClaw 2026.9.x), and such gateways grant an unsigned client no scope");
        }
      }
      options.onClientMapped?.(changes);
      return wire;
    },
  };
}

/** The binding with default options (device `"auto"`): what `binding: "openclaw"` means. */
export const openClawBinding: ClientBinding = createOpenClawBinding();
